"""Tests of batna.bargaining: closed forms, axioms and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from batna.bargaining import (
    FrontierPoint,
    kalai_smorodinsky,
    kalai_smorodinsky_linear,
    nash_linear,
    nash_solution,
    rubinstein,
)
from batna.errors import NoIndividuallyRationalPoint

relaxed = settings(deadline=None)

# ---------------------------------------------------------------- strategies

coord = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)
points = st.lists(st.tuples(coord, coord), min_size=1, max_size=30)
alphas = st.floats(min_value=0.0, max_value=1.0)
inner_alphas = st.floats(min_value=0.01, max_value=0.99)
deltas = st.floats(min_value=0.0, max_value=0.999)


def _arrays(pts):
    a = np.array(pts, dtype=float)
    return a[:, 0], a[:, 1]


def _dominated_by_some(u1, u2, i):
    """Brute force: is point i weakly dominated (one strict) by another point?"""
    for j in range(len(u1)):
        if u1[j] >= u1[i] and u2[j] >= u2[i] and (u1[j] > u1[i] or u2[j] > u2[i]):
            return True
    return False


def _rational_mask(u1, u2, d):
    return (u1 >= d[0]) & (u2 >= d[1])


# ---------------------------------------------------------------- Nash / KS axioms


@relaxed
@given(points, st.tuples(coord, coord), alphas)
def test_nash_is_rational_and_pareto_optimal(pts, d, alpha):
    u1, u2 = _arrays(pts)
    rat = _rational_mask(u1, u2, d)
    if not rat.any():
        with pytest.raises(NoIndividuallyRationalPoint):
            nash_solution(u1, u2, d, alpha)
        return
    p = nash_solution(u1, u2, d, alpha)
    assert isinstance(p, FrontierPoint)
    assert (p.u1, p.u2) == (u1[p.index], u2[p.index])
    assert p.u1 >= d[0] and p.u2 >= d[1]
    # Pareto optimal among the rational sampled points (a point dominating a
    # rational point is itself rational)
    assert not _dominated_by_some(u1, u2, p.index)


@relaxed
@given(points, st.tuples(coord, coord), inner_alphas)
def test_nash_maximises_the_nash_product(pts, d, alpha):
    u1, u2 = _arrays(pts)
    rat = _rational_mask(u1, u2, d)
    assume(rat.any())
    p = nash_solution(u1, u2, d, alpha)
    g1, g2 = u1[rat] - d[0], u2[rat] - d[1]
    prod = g1**alpha * g2 ** (1 - alpha)
    chosen = (p.u1 - d[0]) ** alpha * (p.u2 - d[1]) ** (1 - alpha)
    assert chosen >= prod.max() * (1 - 1e-9)
    if prod.max() == 0:  # boundary only: the documented weighted-sum rule
        w = alpha * g1 + (1 - alpha) * g2
        assert alpha * (p.u1 - d[0]) + (1 - alpha) * (p.u2 - d[1]) >= w.max() - 1e-12


@relaxed
@given(points, st.tuples(coord, coord))
def test_ks_is_rational_and_pareto_optimal(pts, d):
    u1, u2 = _arrays(pts)
    if not _rational_mask(u1, u2, d).any():
        with pytest.raises(NoIndividuallyRationalPoint):
            kalai_smorodinsky(u1, u2, d)
        return
    p = kalai_smorodinsky(u1, u2, d)
    assert p.u1 >= d[0] and p.u2 >= d[1]
    assert not _dominated_by_some(u1, u2, p.index)


@relaxed
@given(
    points,
    st.tuples(coord, coord),
    inner_alphas,
    st.floats(min_value=0.1, max_value=10.0),
    st.floats(min_value=-5.0, max_value=5.0),
    st.booleans(),
)
def test_nash_affine_invariance(pts, d, alpha, a, b, first):
    u1, u2 = _arrays(pts)
    if first:
        v1, v2, e = a * u1 + b, u2, (a * d[0] + b, d[1])
    else:
        v1, v2, e = u1, a * u2 + b, (d[0], a * d[1] + b)
    # compare only problems with a clear winner (no floating-point near-ties,
    # also after the transformation, which can absorb tiny differences)
    best = _clear_nash_winner(u1, u2, d, alpha)
    assume(best is not None and _clear_nash_winner(v1, v2, e, alpha) == best)
    assert nash_solution(u1, u2, d, alpha).index == best
    assert nash_solution(v1, v2, e, alpha).index == best


def _clear_nash_winner(u1, u2, d, alpha):
    """Index of the strict maximiser of the Nash product (first copy if the
    best point is repeated), or None if there is a near-tie."""
    g1, g2 = u1 - d[0], u2 - d[1]
    pos = (g1 > 0) & (g2 > 0)
    if not pos.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        obj = np.where(pos, alpha * np.log(g1) + (1 - alpha) * np.log(g2), -np.inf)
    best = int(np.argmax(obj))
    differs = (u1 != u1[best]) | (u2 != u2[best])
    if np.any(differs & (obj > obj[best] - 1e-9)):
        return None
    return best


def _superellipse_set(p, n, scale):
    """Symmetric sample of the frontier u1^p + u2^p = scale^p (plus the diagonal point)."""
    x = scale * np.arange(n + 1) / n
    y = (scale**p - x**p).clip(0) ** (1 / p)
    s = scale * 2 ** (-1 / p)
    u1 = np.concatenate([x, y, [s]])
    u2 = np.concatenate([y, x, [s]])
    return u1, u2, u1.size - 1


@relaxed
@given(
    st.floats(min_value=1.0, max_value=4.0),
    st.integers(min_value=2, max_value=40),
    st.floats(min_value=0.5, max_value=5.0),
    st.floats(min_value=-1.0, max_value=0.2),
)
def test_symmetric_problem_gives_symmetric_point(p, n, scale, c):
    u1, u2, diag = _superellipse_set(p, n, scale)
    # keep only points away from the diagonal by at least one grid step, so the
    # diagonal point is the strict optimum by more than rounding error
    far = np.abs(u1 - u2) >= scale / n
    far[diag] = True
    u1, u2 = u1[far], u2[far]
    for sol in (nash_solution(u1, u2, (c, c)), kalai_smorodinsky(u1, u2, (c, c))):
        assert sol.u1 == sol.u2
        assert sol.u1 == pytest.approx(scale * 2 ** (-1 / p))


@relaxed
@given(alphas, st.integers(min_value=50, max_value=400))
def test_nash_on_linear_frontier_matches_closed_form(alpha, n):
    x = np.linspace(0.0, 1.0, n + 1)
    p = nash_solution(x, 1.0 - x, (0.0, 0.0), alpha)
    # the grid maximiser of a concave function is within one grid step of the
    # continuous maximiser (alpha, 1 - alpha)
    tol = (1.0 + 1e-9) / n
    assert p.u1 == pytest.approx(alpha, abs=tol)
    assert p.u2 == pytest.approx(1 - alpha, abs=tol)
    # nash_linear with x = player 2's level: G1 = 1 - x, G2 = x
    x2 = nash_linear((1.0, 1.0), 0.0, alpha, 0.0, 1.0)
    assert x2 == pytest.approx(1.0 - alpha)
    assert p.u2 == pytest.approx(x2, abs=tol)


@relaxed
@given(
    st.floats(min_value=0.5, max_value=5.0),  # a1
    st.floats(min_value=0.2, max_value=3.0),  # b1
    st.floats(min_value=-1.0, max_value=0.0),  # a2
    inner_alphas,
)
def test_nash_linear_is_the_maximiser_of_the_product(a1, b1, a2, alpha):
    lo, hi = a2, a1 / b1
    x = np.linspace(lo, hi, 20001)
    f = np.clip(a1 - b1 * x, 0, None) ** alpha * np.clip(x - a2, 0, None) ** (1 - alpha)
    xs = nash_linear((a1, b1), a2, alpha, lo, hi)
    assert xs == pytest.approx(x[np.argmax(f)], abs=2 * (hi - lo) / 20000)
    # clipping to a sub-interval
    mid = 0.5 * (lo + hi)
    assert nash_linear((a1, b1), a2, alpha, mid, hi) == pytest.approx(max(xs, mid))


def test_nash_linear_broadcasts_and_b1_zero():
    al = np.array([0.0, 0.25, 0.5, 1.0])
    x = nash_linear((2.0, np.array([[1.0], [2.0]])), 0.0, al, 0.0, 1.0)
    assert x.shape == (2, 4)
    # b1 = 1: x* = (1-a)*2 clipped to [0, 1]; b1 = 2: x* = (1-a)*1
    np.testing.assert_allclose(x[0], np.clip(2 * (1 - al), 0, 1))
    np.testing.assert_allclose(x[1], 1 - al)
    assert nash_linear((1.0, 0.0), 0.0, 0.5, 0.0, 3.0) == 3.0
    assert isinstance(nash_linear((1.0, 1.0), 0.0, 0.5, 0.0, 1.0), float)


@relaxed
@given(
    st.floats(min_value=0.5, max_value=5.0),
    st.floats(min_value=0.2, max_value=3.0),
    st.floats(min_value=-1.0, max_value=0.0),
    st.integers(min_value=200, max_value=2000),
)
def test_ks_linear_matches_sampled(a1, b1, a2, n):
    # segment from x = a2 (player 2 gains 0) to x = a1/b1 (player 1 gains 0),
    # d = (0, 0): u1 = a1 - b1 x, u2 = x - a2
    x = np.linspace(a2, a1 / b1, n + 1)
    u1, u2 = a1 - b1 * x, x - a2
    p = kalai_smorodinsky(u1, u2, (0.0, 0.0))
    ideal = (u1.max(), u2.max())
    xs = kalai_smorodinsky_linear((a1, b1), a2, ideal, a2, a1 / b1)
    step = (a1 / b1 - a2) / n
    assert x[p.index] == pytest.approx(xs, abs=step * 1.0001)
    # at x* the gains are proportional to the ideal gains
    assert (a1 - b1 * xs) / ideal[0] == pytest.approx((xs - a2) / ideal[1])


def test_ks_linear_edge_cases():
    # J1 = 0: player 2 gets everything it can (x where player 1's gain is 0)
    assert kalai_smorodinsky_linear((2.0, 1.0), 0.0, (0.0, 1.0), 0.0, 5.0) == 2.0
    # J2 = 0: x = a2
    assert kalai_smorodinsky_linear((2.0, 1.0), 0.5, (1.0, 0.0), 0.0, 5.0) == 0.5
    # b1 = 0: hi
    assert kalai_smorodinsky_linear((2.0, 0.0), 0.0, (1.0, 1.0), 0.0, 5.0) == 5.0


def test_ks_literature_example_kalai_smorodinsky_1975():
    """Kalai and Smorodinsky (1975): S = conv{0,(0,1),(3/4,3/4),(1,0)} and
    T = conv{0,(0,1),(1,0.7),(1,0)}. Both have ideal point (1,1), T's frontier
    lies above S's for player 2 at every level of player 1, yet the Nash
    solution gives player 2 less in T (0.7 < 3/4). KS gives (3/4,3/4) in S
    and (10/13,10/13) in T, monotone as the axiom demands."""
    t = np.linspace(0.0, 1.0, 13 * 400 + 1)
    # frontier of S: (0,1)-(3/4,3/4)-(1,0)
    s1 = np.where(t <= 0.75, t, t)
    s2 = np.where(t <= 0.75, 1 - t / 3, 3 * (1 - t))
    # frontier of T: (0,1)-(1,0.7) then the vertical edge (1, y), y in [0, 0.7]
    t1 = np.concatenate([t, np.ones(50)])
    t2 = np.concatenate([1 - 0.3 * t, np.linspace(0.0, 0.7, 50)])
    ks_s = kalai_smorodinsky(s1, s2, (0, 0))
    ks_t = kalai_smorodinsky(t1, t2, (0, 0))
    assert (ks_s.u1, ks_s.u2) == pytest.approx((0.75, 0.75), abs=1e-3)
    assert (ks_t.u1, ks_t.u2) == pytest.approx((10 / 13, 10 / 13), abs=1e-3)
    nash_s = nash_solution(s1, s2, (0, 0))
    nash_t = nash_solution(t1, t2, (0, 0))
    assert (nash_s.u1, nash_s.u2) == pytest.approx((0.75, 0.75), abs=1e-3)
    assert (nash_t.u1, nash_t.u2) == pytest.approx((1.0, 0.7), abs=1e-9)
    assert ks_t.u2 > ks_s.u2 and nash_t.u2 < nash_s.u2


def test_ks_on_ellipse():
    # quarter ellipse (u1/a)^2 + (u2/b)^2 = 1, d = 0, ideal (a, b):
    # KS = (a, b)/sqrt(2)
    a, b = 3.0, 0.5
    th = np.linspace(0, np.pi / 2, 20001)
    p = kalai_smorodinsky(a * np.cos(th), b * np.sin(th), (0, 0))
    assert (p.u1, p.u2) == pytest.approx((a / math.sqrt(2), b / math.sqrt(2)), rel=1e-3)


def test_ks_when_one_ideal_gain_is_zero():
    # only player 2 can gain: KS maximises player 2's gain
    u1 = np.array([0.0, 0.0, -1.0, 0.0])
    u2 = np.array([1.0, 3.0, 5.0, 2.0])
    assert kalai_smorodinsky(u1, u2, (0.0, 0.0)).index == 1


def test_nash_edge_weights_are_lexicographic_and_ties_lowest_index():
    u1 = np.array([1.0, 3.0, 3.0, 0.0, 3.0])
    u2 = np.array([2.0, 0.0, 1.0, 4.0, 1.0])
    assert nash_solution(u1, u2, (0, 0), 1.0).index == 2  # max u1, then max u2, lowest index
    assert nash_solution(u1, u2, (0, 0), 0.0).index == 3
    # symmetric tie (1,4) vs (4,1) with alpha = 1/2: lowest index
    assert nash_solution([4.0, 1.0], [1.0, 4.0], (0, 0)).index == 0
    # only boundary points rational: weighted sum rule
    assert nash_solution([0.0, 2.0], [3.0, 0.0], (0, 0), 0.5).index == 0  # 0.5*3 > 0.5*2
    assert nash_solution([0.0, 2.0], [3.0, 0.0], (0, 0), 0.8).index == 1  # 0.8*2 > 0.2*3


def test_to_dict():
    p = nash_solution([1.0, 2.0], [2.0, 1.5], (0, 0))
    assert p.to_dict() == {"u1": 2.0, "u2": 1.5, "index": 1}
    with pytest.raises(Exception):
        p.u1 = 3.0  # frozen


# ---------------------------------------------------------------- errors


def test_no_individually_rational_point_message():
    with pytest.raises(NoIndividuallyRationalPoint) as exc:
        nash_solution([1.0, 3.0], [3.0, 1.0], (2.0, 2.0))
    msg = str(exc.value)
    assert "(2, 2)" in msg and "3" in msg
    assert isinstance(exc.value, ValueError)
    with pytest.raises(NoIndividuallyRationalPoint):
        kalai_smorodinsky([1.0, 3.0], [3.0, 1.0], (2.0, 2.0))


@pytest.mark.parametrize("power", [-0.1, 1.1, float("nan"), "x"])
def test_bad_power(power):
    with pytest.raises(ValueError, match="power"):
        nash_solution([1.0], [1.0], (0, 0), power)


@pytest.mark.parametrize(
    "u1,u2",
    [([1.0, np.nan], [1.0, 1.0]), ([1.0, 1.0], [np.inf, 1.0]), ([1.0], [1.0, 2.0]), ([], [])],
)
@pytest.mark.parametrize("fn", [nash_solution, kalai_smorodinsky])
def test_bad_points(u1, u2, fn):
    with pytest.raises(ValueError) as exc:
        fn(u1, u2, (0, 0))
    assert not isinstance(exc.value, NoIndividuallyRationalPoint)


@pytest.mark.parametrize(
    "args",
    [(1.0, 0.5), (0.5, -0.1), (np.nan, 0.5), (0.5, 0.5, -0.1, 0.0), (0.5, 0.5, 0.6, 0.5), (0.5, 0.5, 0.0, 1.5)],
)
def test_rubinstein_bad_inputs(args):
    with pytest.raises(ValueError, match="rubinstein"):
        rubinstein(*args)


def test_linear_bad_inputs():
    with pytest.raises(ValueError):
        nash_linear((1.0, 1.0), 0.0, 1.5, 0.0, 1.0)
    with pytest.raises(ValueError):
        nash_linear((1.0, -1.0), 0.0, 0.5, 0.0, 1.0)
    with pytest.raises(ValueError):
        nash_linear((1.0, 1.0), 0.0, 0.5, 1.0, 0.0)
    with pytest.raises(NoIndividuallyRationalPoint):
        nash_linear((1.0, 1.0), 2.0, 0.5, 0.0, 3.0)  # 1 - x >= 0 and x >= 2 impossible
    with pytest.raises(ValueError):
        kalai_smorodinsky_linear((1.0, 1.0), 0.0, (-1.0, 1.0), 0.0, 1.0)


# ---------------------------------------------------------------- Rubinstein


@relaxed
@given(deltas, deltas)
def test_rubinstein_without_outside_options(d1, d2):
    x = rubinstein(d1, d2)
    assert isinstance(x, float)
    assert x == pytest.approx((1 - d2) / (1 - d1 * d2))
    # SPE indifference: player 2 accepts x because 1 - x = d2 * y, where
    # y = 1 - d1 * x is what player 2 gets when it proposes
    y = rubinstein(d2, d1)
    assert 1 - x == pytest.approx(d2 * y, abs=1e-12)
    assert 1 - y == pytest.approx(d1 * x, abs=1e-12)


@relaxed
@given(deltas)
def test_rubinstein_symmetric(d):
    assert rubinstein(d, d) == pytest.approx(1 / (1 + d))


def test_rubinstein_patient_limit_is_nash():
    # BRW (1986): as delta -> 1 the SPE share tends to the Nash solution
    for d in (0.99, 0.999, 0.99999):
        assert abs(rubinstein(d, d) - 0.5) <= (1 - d)
    assert rubinstein(1 - 1e-9, 1 - 1e-9) == pytest.approx(0.5, abs=1e-8)


@relaxed
@given(st.floats(min_value=0.01, max_value=10), st.floats(min_value=0.01, max_value=10))
def test_rubinstein_asymmetric_limit_is_asymmetric_nash(r1, r2):
    dt = 1e-7
    share = rubinstein(math.exp(-r1 * dt), math.exp(-r2 * dt))
    alpha = r2 / (r1 + r2)
    assert share == pytest.approx(alpha, abs=1e-5)
    # asymmetric Nash on the unit pie: x = player 2's share, player 1 gets 1 - x
    assert 1 - nash_linear((1.0, 1.0), 0.0, alpha, 0.0, 1.0) == pytest.approx(share, abs=1e-5)


outside = st.floats(min_value=0.0, max_value=1.0)


@relaxed
@given(deltas, deltas, outside, outside)
def test_rubinstein_equilibrium_equations_with_outside_options(d1, d2, w1, w2):
    assume(w1 + w2 <= 1)
    x = rubinstein(d1, d2, w1, w2)  # player 1 proposes first
    y = rubinstein(d2, d1, w2, w1)  # player 2 proposes first (same game, roles swapped)
    assert 0 <= x <= 1 and 0 <= y <= 1
    # each proposer offers the responder exactly the better of opting out and waiting
    assert x == pytest.approx(1 - max(w2, d2 * y), abs=1e-9)
    assert y == pytest.approx(1 - max(w1, d1 * x), abs=1e-9)
    # individual rationality: nobody gets less than its outside option
    assert x >= w1 - 1e-12 and 1 - x >= w2 - 1e-12


@relaxed
@given(deltas, deltas, st.floats(min_value=0.0, max_value=1.0))
def test_outside_option_principle_responder(d1, d2, frac):
    x0 = rubinstein(d1, d2)
    # player 2's equilibrium share without options is 1 - x0
    w_low = frac * (1 - x0)
    assert rubinstein(d1, d2, 0.0, w_low) == pytest.approx(x0)
    w_high = (1 - x0) + frac * x0
    assume(w_high > 1 - x0)
    assert 1 - rubinstein(d1, d2, 0.0, w_high) == pytest.approx(w_high)


@relaxed
@given(deltas, deltas, st.floats(min_value=0.0, max_value=1.0))
def test_outside_option_principle_first_proposer(d1, d2, frac):
    # player 1's option is used only when it responds (in player 2's turns),
    # where its share without options is d1 * x0
    x0 = rubinstein(d1, d2)
    w_low = frac * d1 * x0
    assert rubinstein(d1, d2, w_low, 0.0) == pytest.approx(x0)
    w_high = d1 * x0 + frac * (1 - d1 * x0)
    assume(w_high > d1 * x0)
    # then player 2, proposing, must give player 1 exactly w_high
    assert 1 - rubinstein(d2, d1, 0.0, w_high) == pytest.approx(w_high)
    assert rubinstein(d1, d2, w_high, 0.0) == pytest.approx(1 - d2 * (1 - w_high))


@relaxed
@given(deltas, deltas, deltas, outside, outside)
def test_rubinstein_monotone_in_patience(d1, d2, d3, w1, w2):
    assume(w1 + w2 <= 1)
    lo, hi = sorted((d1, d3))
    assert rubinstein(lo, d2, w1, w2) <= rubinstein(hi, d2, w1, w2) + 1e-12
    assert rubinstein(d2, lo, w1, w2) >= rubinstein(d2, hi, w1, w2) - 1e-12
    if hi - lo > 1e-6 and w1 == w2 == 0 and d2 > 1e-3:
        assert rubinstein(lo, d2) < rubinstein(hi, d2)
        assert rubinstein(d2, lo) > rubinstein(d2, hi)


def test_rubinstein_broadcasts():
    d1 = np.linspace(0.0, 0.95, 5)[:, None]
    d2 = np.array([0.1, 0.5, 0.9])
    w2 = np.array([0.0, 0.3, 0.6])
    out = rubinstein(d1, d2, 0.0, w2)
    assert out.shape == (5, 3)
    for i in range(5):
        for j in range(3):
            assert out[i, j] == rubinstein(float(d1[i, 0]), float(d2[j]), 0.0, float(w2[j]))


def test_tie_break_uses_raw_utilities_not_rounded_gains():
    # u2 - d2 rounds both points to gain 1.0, but point 1 dominates point 0
    u1, u2, d = [0.0, 0.0], [0.0, 1.401298464324817e-45], (0.0, -1.0)
    assert nash_solution(u1, u2, d, 0.0).index == 1
    assert nash_solution(u1, u2, d, 1.0).index == 1
    assert kalai_smorodinsky(u1, u2, d).index == 1
