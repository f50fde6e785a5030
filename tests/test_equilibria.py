"""Tests of batna.games: vertex enumeration and maximal Nash subsets."""

from __future__ import annotations

import itertools
import json
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from batna.games import DEFAULT_TOL, Equilibrium, EquilibriumResult, NashSubset, equilibria, solve
from strategies import float_games, games, integer_games, rounded_float_games

TOL = DEFAULT_TOL
MATCH_ATOL = 1e-6  # for comparing equilibria found by different methods


# --------------------------------------------------------------------------
# helpers (independent of the implementation under test)


def player_regrets(A, B, x, y):
    """Gains from unilateral deviation for (row, column), in payoff units."""
    A, B = np.asarray(A, float), np.asarray(B, float)
    Ay = A @ y
    xB = x @ B
    return Ay.max() - x @ Ay, xB.max() - xB @ y


def regret_bounds(A, B, factor=1.0):
    """tol times each player's payoff range, plus a floating-point floor."""
    A, B = np.asarray(A, float), np.asarray(B, float)
    return tuple(
        factor * TOL * np.ptp(M) + 1e-13 * (1.0 + np.abs(M).max()) for M in (A, B)
    )


def is_equilibrium(A, B, x, y, factor=1.0):
    ra, rb = player_regrets(A, B, x, y)
    ba, bb = regret_bounds(A, B, factor)
    return ra <= ba and rb <= bb


def pairs_of(eqs):
    return [(np.asarray(e.row if hasattr(e, "row") else e[0], float),
             np.asarray(e.column if hasattr(e, "column") else e[1], float)) for e in eqs]


def dedupe(pairs, atol=MATCH_ATOL):
    out = []
    for x, y in pairs:
        if not any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in out):
            out.append((x, y))
    return out


def same_set(p, q, atol=MATCH_ATOL):
    p, q = dedupe(pairs_of(p), atol), dedupe(pairs_of(q), atol)
    if len(p) != len(q):
        return False
    return all(any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in q) for x, y in p)


def unit(k, i):
    e = np.zeros(k)
    e[i] = 1.0
    return e


def to01(M):
    M = np.asarray(M, float)
    r = np.ptp(M)
    return np.zeros_like(M) if r == 0 else (M - M.min()) / r


def support_enumeration(A, B, tol=TOL):
    """Reference: support enumeration (von Stengel 2007, Algorithm 3.4).

    Correct for nondegenerate games only. Payoffs are first mapped to [0, 1]
    so that ``tol`` has the same meaning as in the solver.
    """
    A, B = to01(A), to01(B)
    m, n = A.shape
    found = []
    for k in range(1, min(m, n) + 1):
        for I in itertools.combinations(range(m), k):
            for J in itertools.combinations(range(n), k):
                # column strategy y on J makes the row player indifferent on I
                My = np.zeros((k + 1, k + 1))
                My[:k, :k] = A[np.ix_(I, J)]
                My[:k, k] = -1.0
                My[k, :k] = 1.0
                Mx = np.zeros((k + 1, k + 1))
                Mx[:k, :k] = B[np.ix_(I, J)].T
                Mx[:k, k] = -1.0
                Mx[k, :k] = 1.0
                rhs = np.zeros(k + 1)
                rhs[k] = 1.0
                if np.linalg.cond(My) > 1e12 or np.linalg.cond(Mx) > 1e12:
                    continue
                sy = np.linalg.solve(My, rhs)
                sx = np.linalg.solve(Mx, rhs)
                y = np.zeros(n)
                y[list(J)] = sy[:k]
                x = np.zeros(m)
                x[list(I)] = sx[:k]
                u, v = sy[k], sx[k]
                if x.min() < -tol or y.min() < -tol:
                    continue
                if (A @ y).max() > u + tol or (x @ B).max() > v + tol:
                    continue
                x, y = np.clip(x, 0, None), np.clip(y, 0, None)
                found.append((x / x.sum(), y / y.sum()))
    return dedupe(found)


def pure_equilibria(A, B):
    """Brute force: all pure-strategy equilibria (exact ties count as best responses)."""
    A, B = to01(A), to01(B)
    m, n = A.shape
    return [
        (unit(m, i), unit(n, j))
        for i in range(m)
        for j in range(n)
        if A[i, j] >= A[:, j].max() - TOL and B[i, j] >= B[i, :].max() - TOL
    ]


def contains(result_pairs, pair, atol=MATCH_ATOL):
    x, y = pair
    return any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in pairs_of(result_pairs))


def check_subsets(A, B, res, rng, samples=5):
    """Every subset's convex hulls are equilibria, and every subset is maximal."""
    eqs = res.equilibria
    covered = set()
    for s in res.subsets:
        covered.update(s.equilibria)
        assert len(s.equilibria) == len(s.rows) * len(s.columns)
        # extreme points of the subset are exactly the listed equilibria
        for k in s.equilibria:
            assert any(np.array_equal(eqs[k].row, r) for r in s.rows)
            assert any(np.array_equal(eqs[k].column, c) for c in s.columns)
        R, C = np.array(s.rows), np.array(s.columns)
        for _ in range(samples):
            x = rng.dirichlet(np.ones(len(R))) @ R
            y = rng.dirichlet(np.ones(len(C))) @ C
            assert is_equilibrium(A, B, x, y, factor=10)
        # maximality: no other extreme row (column) strategy is an equilibrium
        # against all of the subset's columns (rows)
        for e in eqs:
            if not any(np.allclose(e.row, r, atol=MATCH_ATOL) for r in s.rows):
                assert not all(is_equilibrium(A, B, e.row, c, factor=10) for c in s.columns)
            if not any(np.allclose(e.column, c, atol=MATCH_ATOL) for c in s.columns):
                assert not all(is_equilibrium(A, B, r, e.column, factor=10) for r in s.rows)
    assert covered == set(range(len(eqs)))


# --------------------------------------------------------------------------
# known games


def test_matching_pennies():
    A = np.array([[1, -1], [-1, 1]])
    res = solve(A, -A)
    assert isinstance(res, EquilibriumResult)
    assert res.method == "vertex-enumeration"
    assert not res.degenerate
    assert len(res.equilibria) == 1
    e = res.equilibria[0]
    np.testing.assert_allclose(e.row, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(e.column, [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(e.payoffs, (0.0, 0.0), atol=1e-12)
    assert len(res.subsets) == 1 and res.subsets[0].equilibria == (0,)


def test_battle_of_the_sexes():
    A = [[3, 0], [0, 2]]
    B = [[2, 0], [0, 3]]
    res = solve(A, B)
    assert not res.degenerate
    expected = [
        ([1, 0], [1, 0], (3, 2)),
        ([0, 1], [0, 1], (2, 3)),
        ([3 / 5, 2 / 5], [2 / 5, 3 / 5], (6 / 5, 6 / 5)),
    ]
    assert same_set(res.equilibria, [(np.array(x), np.array(y)) for x, y, _ in expected])
    for x, y, pay in expected:
        (e,) = [e for e in res.equilibria if np.allclose(e.row, x) and np.allclose(e.column, y)]
        np.testing.assert_allclose(e.payoffs, pay, atol=1e-12)
    assert len(res.subsets) == 3


def test_prisoners_dilemma():
    A = np.array([[3, 0], [5, 1]])  # strategy 0 cooperate, 1 defect
    res = solve(A, A.T)
    assert not res.degenerate
    assert len(res.equilibria) == 1
    e = res.equilibria[0]
    assert e.row.tolist() == [0.0, 1.0] and e.column.tolist() == [0.0, 1.0]
    assert e.payoffs == (1.0, 1.0)


# The 3 x 2 game of von Stengel (2002, Figure 2; 2007, eq. (3.3)).
VS_A = np.array([[3, 3], [2, 5], [0, 6]])
VS_B = np.array([[3, 2], [2, 6], [3, 1]])


def test_von_stengel_example():
    res = solve(VS_A, VS_B)
    assert not res.degenerate
    expected = [
        (unit(3, 0), unit(2, 0)),
        (np.array([4 / 5, 1 / 5, 0]), np.array([2 / 3, 1 / 3])),
        (np.array([0, 1 / 3, 2 / 3]), np.array([1 / 3, 2 / 3])),
    ]
    assert same_set(res.equilibria, expected, atol=1e-12)
    pays = sorted(e.payoffs for e in res.equilibria)
    np.testing.assert_allclose(pays, sorted([(3, 3), (3, 14 / 5), (4, 8 / 3)]), atol=1e-12)


def test_von_stengel_degenerate_example():
    # B[0] = (3, 3): against the first row both columns are best responses
    B = np.array([[3, 3], [2, 6], [3, 1]])
    res = solve(VS_A, B)
    assert res.degenerate
    expected = [
        (unit(3, 0), unit(2, 0)),
        (unit(3, 0), np.array([2 / 3, 1 / 3])),
        (np.array([0, 1 / 3, 2 / 3]), np.array([1 / 3, 2 / 3])),
    ]
    assert same_set(res.equilibria, expected, atol=1e-12)
    subs = sorted((len(s.rows), len(s.columns)) for s in res.subsets)
    assert subs == [(1, 1), (1, 2)]
    (big,) = [s for s in res.subsets if len(s.columns) == 2]
    np.testing.assert_allclose(big.rows[0], unit(3, 0))
    check_subsets(VS_A, B, res, np.random.default_rng(0), samples=20)


def test_rock_paper_scissors():
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    res = solve(A, -A)
    assert not res.degenerate
    assert len(res.equilibria) == 1
    np.testing.assert_allclose(res.equilibria[0].row, np.full(3, 1 / 3), atol=1e-12)
    np.testing.assert_allclose(res.equilibria[0].column, np.full(3, 1 / 3), atol=1e-12)


def test_shapley_game_unique_uniform():
    A = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    B = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    res = solve(A, B)
    assert len(res.equilibria) == 1
    np.testing.assert_allclose(res.equilibria[0].row, np.full(3, 1 / 3), atol=1e-12)
    np.testing.assert_allclose(res.equilibria[0].column, np.full(3, 1 / 3), atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_coordination_game_has_2k_minus_1_equilibria(k):
    # A = B = I: for every nonempty support S, both play uniformly on S
    res = solve(np.eye(k), np.eye(k))
    assert not res.degenerate
    expected = []
    for r in range(1, k + 1):
        for S in itertools.combinations(range(k), r):
            p = np.zeros(k)
            p[list(S)] = 1 / r
            expected.append((p, p))
    assert len(res.equilibria) == 2**k - 1
    assert same_set(res.equilibria, expected, atol=1e-12)


# --------------------------------------------------------------------------
# degenerate games


@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (2, 2), (3, 2), (4, 4), (6, 6)])
@pytest.mark.parametrize("value", [0.0, 7.5])
def test_constant_game(shape, value):
    m, n = shape
    A = np.full(shape, value)
    res = solve(A, A.copy())
    expected = [(unit(m, i), unit(n, j)) for i in range(m) for j in range(n)]
    assert same_set(res.equilibria, expected, atol=0)
    assert res.degenerate == (shape != (1, 1))
    # one Nash subset: the whole strategy space
    assert len(res.subsets) == 1
    s = res.subsets[0]
    assert s.equilibria == tuple(range(m * n))
    assert len(s.rows) == m and len(s.columns) == n
    check_subsets(A, A, res, np.random.default_rng(1))


def test_nashpy_fails_on_all_zero_game_but_we_do_not():
    Z = np.zeros((2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            list(nashpy.Game(Z, Z).vertex_enumeration())
        except Exception:
            pass  # documented motivation; nashpy's behaviour is not asserted
    assert len(equilibria(Z, Z)) == 4


def test_weakly_dominated_tie_column():
    # column 1 weakly dominates column 0 for the column player, with a tie in row 0
    A = np.array([[1, 0], [0, 1]])
    B = np.array([[1, 1], [0, 1]])
    res = solve(A, B)
    assert res.degenerate
    # by hand: x = e0 with y in conv{(1,0), (1/2,1/2)}, and (e1, f1)
    expected = [
        (unit(2, 0), unit(2, 0)),
        (unit(2, 0), np.array([0.5, 0.5])),
        (unit(2, 1), unit(2, 1)),
    ]
    assert same_set(res.equilibria, expected, atol=1e-12)
    assert sorted((len(s.rows), len(s.columns)) for s in res.subsets) == [(1, 1), (1, 2)]
    check_subsets(A, B, res, np.random.default_rng(2), samples=20)


def test_column_player_indifferent_continuum():
    # row 0 strictly dominant; the column player is indifferent against it
    A = np.array([[1, 1], [0, 0]])
    B = np.array([[1, 1], [0, 0]])
    res = solve(A, B)
    assert res.degenerate
    assert same_set(res.equilibria, [(unit(2, 0), unit(2, 0)), (unit(2, 0), unit(2, 1))], atol=0)
    assert len(res.subsets) == 1
    s = res.subsets[0]
    assert len(s.rows) == 1 and len(s.columns) == 2
    check_subsets(A, B, res, np.random.default_rng(3), samples=20)


def test_two_overlapping_subsets():
    # row player indifferent between both rows against column 0; column 0 is
    # the column player's best response only to row 0 ... constructed so that
    # the subsets {e0} x conv{f0, f1} and conv{e0, e1} x {f0} share (e0, f0)
    A = np.array([[1, 1], [1, 0]])
    B = np.array([[1, 1], [1, 0]])
    res = solve(A, B)
    assert res.degenerate
    expected = [(unit(2, 0), unit(2, 0)), (unit(2, 0), unit(2, 1)), (unit(2, 1), unit(2, 0))]
    assert same_set(res.equilibria, expected, atol=0)
    shapes = sorted((len(s.rows), len(s.columns)) for s in res.subsets)
    assert shapes == [(1, 2), (2, 1)]
    check_subsets(A, B, res, np.random.default_rng(4), samples=20)


@pytest.mark.parametrize(
    "A, B, degenerate",
    [
        ([[5.0]], [[-2.0]], False),
        ([[1.0, 2.0]], [[0.0, 1.0]], False),
        ([[1.0, 2.0]], [[1.0, 1.0]], True),  # a pure strategy with 2 best responses
        ([[3, 0], [0, 2]], [[2, 0], [0, 3]], False),
        ([[1, 0], [0, 1]], [[1, 1], [0, 1]], True),
        ([[2, 1], [1, 2]], [[1, 0], [0, 1]], False),
        ([[1, 2], [3, 4]], [[1, 2], [1, 2]], False),  # ties within a column of B do not matter
        ([[1, 2], [3, 4]], [[1, 1], [2, 3]], True),
    ],
)
def test_degenerate_flag(A, B, degenerate):
    assert solve(A, B).degenerate is degenerate


# --------------------------------------------------------------------------
# properties on random games


@given(games())
def test_equilibria_are_valid(game):
    A, B = game
    res = solve(A, B)
    assert len(res.equilibria) >= 1  # Nash's theorem
    m, n = A.shape
    for e in res.equilibria:
        assert isinstance(e, Equilibrium)
        assert e.row.shape == (m,) and e.column.shape == (n,)
        for p in (e.row, e.column):
            assert (p >= 0).all()
            assert abs(p.sum() - 1.0) <= 4e-16 * len(p)
            assert not ((p > 0) & (p < TOL)).any()
        ra, rb = player_regrets(A, B, e.row, e.column)
        ba, bb = regret_bounds(A, B, factor=4 + max(m, n))  # the documented guarantee
        assert ra <= ba and rb <= bb
        assert e.regret == pytest.approx(max(ra, rb, 0.0), abs=1e-12)
        np.testing.assert_allclose(e.payoffs, (e.row @ A @ e.column, e.row @ B @ e.column), atol=1e-12)
    # pure equilibria are always extreme, so all of them must be listed
    for pair in pure_equilibria(A, B):
        assert contains(res.equilibria, pair)


@given(games())
def test_nondegenerate_games_have_odd_number_of_isolated_equilibria(game):
    A, B = game
    res = solve(A, B)
    event(f"degenerate={res.degenerate}")
    if res.degenerate:  # (no assume(): integer games are mostly degenerate)
        return
    assert len(res.equilibria) % 2 == 1
    assert [s.equilibria for s in res.subsets] == [(k,) for k in range(len(res.equilibria))]


@settings(deadline=None)  # the reference is slow; other settings come from the profile
@given(st.one_of(float_games(max_size=4), rounded_float_games(max_size=4)))
def test_matches_support_enumeration_for_nondegenerate_games(game):
    A, B = game
    res = solve(A, B)
    event(f"degenerate={res.degenerate}")
    if res.degenerate:
        return
    assert same_set(res.equilibria, support_enumeration(A, B))


@settings(deadline=None)  # nashpy/scipy timing varies; other settings come from the profile
@given(rounded_float_games(min_size=2, max_size=3))
def test_matches_nashpy_for_nondegenerate_games(game):
    # nashpy labels vertices with np.isclose (rtol=1e-5), so it reports
    # spurious equilibria on near-ties such as A = [[0, 0], [1, 1e-5]],
    # B = [[0, 1], [0, 1]]; compare only on games whose payoffs are
    # multiples of 0.001, where ties are exact or far apart.
    A, B = game
    res = solve(A, B)
    event(f"degenerate={res.degenerate}")
    if res.degenerate:
        return
    # nashpy needs strictly positive payoffs for bounded polytopes
    A1 = A - A.min() + 1.0
    B1 = B - B.min() + 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = list(nashpy.Game(A1, B1).vertex_enumeration())
    except Exception:  # scipy's qhull can fail on some polytopes
        event("nashpy raised")
        return
    assert same_set(res.equilibria, ref)


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (2, 2), (2, 3), (3, 3), (3, 4), (4, 4), (5, 5)])
@pytest.mark.parametrize("seed", range(5))
def test_random_gaussian_games_match_both_references(shape, seed):
    # Gaussian games are nondegenerate with probability 1: guarantees that the
    # comparisons above are not vacuous
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=shape), rng.normal(size=shape)
    res = solve(A, B)
    assert not res.degenerate
    assert len(res.equilibria) % 2 == 1
    assert same_set(res.equilibria, support_enumeration(A, B))
    if min(shape) < 2:
        return  # scipy's HalfspaceIntersection (used by nashpy) needs dimension >= 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = list(nashpy.Game(A - A.min() + 1, B - B.min() + 1).vertex_enumeration())
    assert same_set(res.equilibria, ref)


@given(st.one_of(rounded_float_games(), integer_games()), st.data())
def test_subsets_are_nash_subsets_and_maximal(game, data):
    A, B = game
    res = solve(A, B)
    seed = data.draw(st.integers(0, 2**32 - 1))
    check_subsets(A, B, res, np.random.default_rng(seed), samples=3)
    if not res.degenerate:
        assert all(len(s.equilibria) == 1 for s in res.subsets)


affine = st.tuples(st.floats(0.01, 100), st.floats(-100, 100))


@given(st.one_of(rounded_float_games(), integer_games()), affine, affine)
def test_invariant_under_positive_affine_transforms(game, ta, tb):
    A, B = game
    res = solve(A, B)
    res2 = solve(ta[0] * A + ta[1], tb[0] * B + tb[1])
    assert res2.degenerate == res.degenerate
    assert same_set(res.equilibria, res2.equilibria)


@given(st.one_of(rounded_float_games(), integer_games()), st.data())
def test_invariant_under_permutations(game, data):
    A, B = game
    m, n = A.shape
    pr = np.array(data.draw(st.permutations(range(m))))
    pc = np.array(data.draw(st.permutations(range(n))))
    res = solve(A, B)
    res2 = solve(A[np.ix_(pr, pc)], B[np.ix_(pr, pc)])
    assert res2.degenerate == res.degenerate
    back = []
    for e in res2.equilibria:
        x = np.empty(m)
        x[pr] = e.row
        y = np.empty(n)
        y[pc] = e.column
        back.append((x, y))
    assert same_set(res.equilibria, back)
    assert sorted((len(s.rows), len(s.columns)) for s in res.subsets) == sorted(
        (len(s.rows), len(s.columns)) for s in res2.subsets
    )


@given(games())
def test_deterministic_and_canonical(game):
    A, B = game
    d1 = json.dumps(solve(A, B).to_dict())
    d2 = json.dumps(solve(A.tolist(), B.tolist()).to_dict())
    assert d1 == d2
    res = solve(A, B)
    keys = [tuple(np.round(np.concatenate([e.row, e.column]), 12)) for e in res.equilibria]
    assert keys == sorted(keys)


# --------------------------------------------------------------------------
# API, serialisation and input validation


def test_api_and_to_dict():
    res = solve(VS_A, VS_B)
    assert [e.to_dict() for e in equilibria(VS_A, VS_B)] == [e.to_dict() for e in res.equilibria]
    d = json.loads(json.dumps(res.to_dict()))
    assert d["method"] == "vertex-enumeration"
    assert d["tol"] == DEFAULT_TOL
    assert d["degenerate"] is False
    assert len(d["equilibria"]) == 3 and len(d["subsets"]) == 3
    e = d["equilibria"][0]
    assert set(e) == {"row", "column", "payoffs", "regret"}
    assert all(type(v) is float for v in e["row"] + e["column"] + e["payoffs"])
    assert isinstance(res.subsets[0], NashSubset)
    assert set(d["subsets"][0]) == {"equilibria", "rows", "columns"}
    with pytest.raises(AttributeError):
        res.equilibria[0].regret = 1.0  # frozen
    with pytest.raises(ValueError):
        res.equilibria[0].row[0] = 0.5  # read-only array


@pytest.mark.parametrize(
    "A, B, match",
    [
        ([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]], "shape"),
        ([1, 2], [3, 4], "2-dimensional"),
        ([[[1]]], [[[1]]], "2-dimensional"),
        (np.zeros((0, 2)), np.zeros((0, 2)), "at least one"),
        ([[1, np.nan]], [[1, 2]], "NaN or infinite"),
        ([[1, 2]], [[np.inf, 2]], "NaN or infinite"),
        ([["a", "b"]], [[1, 2]], "not a real matrix"),
        ([[1, 2], [3]], [[1, 2], [3, 4]], "not a real matrix"),
    ],
)
def test_bad_input(A, B, match):
    with pytest.raises(ValueError, match=match):
        solve(A, B)


@pytest.mark.parametrize("tol", [0, -1e-9, float("nan"), 1.5, "x"])
def test_bad_tolerance(tol):
    with pytest.raises(ValueError, match="tol"):
        solve([[1]], [[1]], tol=tol)


def test_too_large_game_is_rejected():
    with pytest.raises(ValueError, match="too large"):
        solve(np.zeros((12, 12)), np.zeros((12, 12)))


def test_extreme_magnitudes():
    A = np.array([[1e300, -1e300], [-1e300, 1e300]])
    res = solve(A, -A)
    assert len(res.equilibria) == 1
    np.testing.assert_allclose(res.equilibria[0].row, [0.5, 0.5])
    B = np.array([[1e-300, 0], [0, 1e-300]])
    assert len(solve(B, B).equilibria) == 3


def test_thousands_of_random_float_games_match_support_enumeration():
    """Completeness in bulk: 2,000 random float games (2x2 to 4x4; nondegenerate with
    probability 1) against the independent support enumeration of this file."""
    rng = np.random.default_rng(20191)
    checked = 0
    for k in range(2000):
        m, n = rng.integers(2, 5, size=2)
        A, B = rng.uniform(-10, 10, size=(m, n)), rng.uniform(-10, 10, size=(m, n))
        res = solve(A, B)
        assert not res.degenerate
        assert len(res.equilibria) % 2 == 1
        assert same_set(res.equilibria, support_enumeration(A, B)), (A, B)
        checked += 1
    assert checked == 2000
