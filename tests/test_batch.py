"""Tests of batna.games.equilibria_batch against the per-game solver and nashpy."""

from __future__ import annotations

import json
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from batna import agreement, engagement, model, parameters
from batna.errors import ScenarioError
from batna.games import DEFAULT_TOL, BatchResult, Equilibrium, equilibria_batch, solve
from batna.games import _kernels
from batna.games.batch import _bases, _check

ATOL = 1e-9  # agreement between two implementations of the same enumeration

# Compile (or load from numba's cache) the kernels before any timed hypothesis example.
equilibria_batch(np.zeros((1, 2, 2)), np.zeros((1, 2, 2)))
equilibria_batch(np.zeros((1, 3, 3)), np.zeros((1, 3, 3)))  # the 3 x 3 kernel


# --------------------------------------------------------------------------
# helpers


def engagement_games(seed: int, size: int):
    """Engagement games of ``size`` random valid scenarios (parameters uniform in their ranges).

    Built as :func:`batna.quantities.evaluate_all` builds them.
    """
    rng = np.random.default_rng(seed)
    values = {}
    for p in parameters.PARAMETERS:
        v = rng.uniform(p.low, p.high, size)
        if p.low_open:
            v = np.where(v == p.low, (p.low + p.high) / 2, v)
        values[p.key] = v
    res = model.evaluate(values)
    sol = agreement.solutions(res)
    A, B = engagement.payoff_matrices(res.parameters, res.batna_G, res.batna_O,
                                      sol["nash.v_G"], sol["nash.v_O"], res.margin >= 0)
    return A, B, res.margin >= 0


def assert_matches_solve(A, B, res: BatchResult, tol=DEFAULT_TOL):
    """Every game's equilibria, order and degeneracy flag equal solve's."""
    A = np.asarray(A, float)
    B = np.asarray(B, float)
    batch = res.shape
    assert res.count.shape == batch and res.degenerate.shape == batch
    for g, idx in enumerate(np.ndindex(*batch)):
        ref = solve(A[idx], B[idx], tol)
        got = res.for_game(g)
        assert res.count[idx] == len(ref.equilibria) == len(got), (idx, A[idx], B[idx])
        assert bool(res.degenerate[idx]) == ref.degenerate, (idx, A[idx], B[idx])
        for e, r in zip(got, ref.equilibria):
            np.testing.assert_allclose(e.row, r.row, rtol=0, atol=ATOL)
            np.testing.assert_allclose(e.column, r.column, rtol=0, atol=ATOL)
            scale = 1.0 + max(np.abs(A[idx]).max(), np.abs(B[idx]).max())
            np.testing.assert_allclose(e.payoffs, r.payoffs, rtol=0, atol=ATOL * scale)
            assert abs(e.regret - r.regret) <= ATOL * scale


def regrets(A, B, x, y):
    Ay = A @ y
    xB = x @ B
    return Ay.max() - x @ Ay, xB.max() - xB @ y


@st.composite
def stacks(draw, elements, max_size=4, max_games=6):
    m = draw(st.integers(1, max_size))
    n = draw(st.integers(1, max_size))
    k = draw(st.integers(1, max_games))
    cells = k * m * n
    A = np.array(draw(st.lists(elements, min_size=cells, max_size=cells)), float).reshape(k, m, n)
    B = np.array(draw(st.lists(elements, min_size=cells, max_size=cells)), float).reshape(k, m, n)
    return A, B


floats = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
#: Payoffs rounded to 3 decimals: ties are exact or at least 1e-3 apart. With raw
#: floats, hypothesis finds games whose payoff differences are of the order of
#: ``tol`` times the payoff range; their bases have condition numbers ~1/tol and
#: the two implementations' rounding (LAPACK vs closed form) can put a vertex on
#: either side of the tolerance. Such games are covered by the regret test below.
rounded = floats.map(lambda v: round(v, 3))


# --------------------------------------------------------------------------
# agreement with the per-game solver


@given(stacks(rounded))
def test_float_games_match_solve(game):
    A, B = game
    assert_matches_solve(A, B, equilibria_batch(A, B))


@given(stacks(st.integers(-2, 2)))
def test_integer_games_match_solve_including_degenerate(game):
    A, B = game
    assert_matches_solve(A, B, equilibria_batch(A, B))


@given(stacks(floats.map(lambda v: round(v, 1)), max_size=3), st.sampled_from([1e-9, 1e-6, 1e-3]))
def test_other_tolerances_match_solve(game, tol):
    # At very loose tolerances (e.g. 0.05 of the payoff range) "tight" is so coarse that
    # vertex merging order decides which approximate vertex survives; the two
    # implementations may then differ by an approximate equilibrium (seen in CI).
    A, B = game
    assert_matches_solve(A, B, equilibria_batch(A, B, tol=tol), tol=tol)


@given(st.integers(0, 2**32 - 1))
def test_engagement_games_match_solve(seed):
    A, B, zopa = engagement_games(seed, 25)
    res = equilibria_batch(A, B)
    assert_matches_solve(A, B, res)
    # independent fact (batna.engagement docstring): an empty ZOPA makes the game degenerate
    assert res.degenerate[~zopa].all()


def test_engagement_games_have_degenerate_and_nondegenerate_cases():
    A, B, zopa = engagement_games(1, 400)
    res = equilibria_batch(A, B)
    assert (~zopa).any() and zopa.any()
    assert res.degenerate.any()
    assert_matches_solve(A[:60], B[:60], equilibria_batch(A[:60], B[:60]))


# --------------------------------------------------------------------------
# independent checks


@given(stacks(st.one_of(floats, st.integers(-3, 3).map(float))))
def test_every_result_is_an_equilibrium(game):
    A, B = game
    res = equilibria_batch(A, B)
    assert res.count.sum() == len(res.game_index) >= len(A)  # every game has one
    assert np.all(np.diff(res.game_index) >= 0)
    for g, x, y, pay in zip(res.game_index, res.row, res.column, res.payoffs):
        assert np.all(x >= 0) and np.all(y >= 0)
        assert abs(x.sum() - 1) < 1e-12 and abs(y.sum() - 1) < 1e-12
        ra, rb = regrets(A[g], B[g], x, y)
        assert ra <= 1e-8 * (1 + np.ptp(A[g])) and rb <= 1e-8 * (1 + np.ptp(B[g]))
        np.testing.assert_allclose(pay, [x @ A[g] @ y, x @ B[g] @ y], atol=1e-12 * (1 + np.abs(A[g]).max() + np.abs(B[g]).max()))


def _same_sets(p, q, atol=1e-6):
    if len(p) != len(q):
        return False
    return all(any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in q) for x, y in p)


def test_nashpy_vertex_enumeration_agrees_on_random_nondegenerate_games():
    rng = np.random.default_rng(7)
    for m, n in [(2, 2), (2, 3), (3, 3), (3, 4)]:
        A = rng.normal(size=(25, m, n))
        B = rng.normal(size=(25, m, n))
        res = equilibria_batch(A, B)
        assert not res.degenerate.any()
        for g in range(len(A)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = [(np.asarray(x), np.asarray(y)) for x, y in nashpy.Game(A[g], B[g]).vertex_enumeration()]
            ours = [(e.row, e.column) for e in res.for_game(g)]
            assert _same_sets(ours, ref), (A[g], B[g], ours, ref)


def test_known_games():
    # matching pennies, coordination (3 equilibria), all-equal 2x3 game (6 pure pairs)
    # (the third column is strictly dominated for the column player in the first two)
    A = np.array([[[1.0, -1, 0], [-1, 1, 0.3]], [[2, 0, 0.5], [0, 1, 0]], [[0, 0, 0], [0, 0, 0]]])
    B = np.array([[[-1.0, 1, -5], [1, -1, -5]], [[2, 0, -1], [0, 1, -1]], [[0, 0, 0], [0, 0, 0]]])
    res = equilibria_batch(A, B)
    assert res.count.tolist() == [1, 3, 6]
    assert res.degenerate.tolist() == [False, False, True] == [solve(a, b).degenerate for a, b in zip(A, B)]
    np.testing.assert_allclose(res.for_game(0)[0].row, [0.5, 0.5])
    np.testing.assert_allclose(res.for_game(0)[0].column, [0.5, 0.5, 0.0])
    mixed = [e for e in res.for_game(1) if 0 < e.row[0] < 1]
    np.testing.assert_allclose(mixed[0].row, [1 / 3, 2 / 3])
    np.testing.assert_allclose(mixed[0].column, [1 / 3, 2 / 3, 0.0])


def test_affine_invariance():
    rng = np.random.default_rng(3)
    A = rng.integers(-2, 3, size=(30, 3, 3)).astype(float)
    B = rng.normal(size=(30, 3, 3))
    r1 = equilibria_batch(A, B)
    r2 = equilibria_batch(7.5 * A - 3, 0.01 * B + 100)
    assert np.array_equal(r1.count, r2.count) and np.array_equal(r1.degenerate, r2.degenerate)
    np.testing.assert_allclose(r1.row, r2.row, atol=1e-12)
    np.testing.assert_allclose(r1.column, r2.column, atol=1e-12)


# --------------------------------------------------------------------------
# shapes, buffers, result object


def test_batch_shapes_broadcasting_and_multi_index():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(2, 3, 3, 2))
    B = rng.normal(size=(3, 3, 2))  # broadcast over the first batch axis
    res = equilibria_batch(A, B)
    assert res.shape == (2, 3) and res.count.shape == (2, 3) and res.size == 6
    for i, j in np.ndindex(2, 3):
        ref = solve(A[i, j], B[j])
        got = res.for_game((i, j))
        assert len(got) == len(ref.equilibria)
        for e, r in zip(got, ref.equilibria):
            np.testing.assert_allclose(e.row, r.row, atol=ATOL)
    assert [len(res.for_game(-1))] == [res.count[1, 2]]
    off = res.offsets
    assert off[0] == 0 and off[-1] == len(res.game_index)
    with pytest.raises(IndexError):
        res.for_game(6)
    with pytest.raises(IndexError):
        res.for_game((2, 0))


def test_single_game_and_empty_batch():
    res = equilibria_batch([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    assert res.shape == () and res.count.shape == () and int(res.count) == 3
    ref = solve([[1, 0], [0, 1]], [[1, 0], [0, 1]]).equilibria
    np.testing.assert_allclose([e.row for e in res.for_game(0)], [e.row for e in ref], atol=ATOL)
    empty = equilibria_batch(np.zeros((0, 3, 3)), np.zeros((0, 3, 3)))
    assert empty.size == 0 and empty.row.shape == (0, 3) and empty.count.shape == (0,)


def test_output_buffers_grow():
    # all-zero 3x3 games have 9 extreme equilibria each: more than the initial capacity
    A = np.zeros((50, 3, 3))
    A[::7] = np.random.default_rng(0).normal(size=(8, 3, 3))
    res = equilibria_batch(A, A)
    assert res.count.sum() > 2 * len(A)
    assert_matches_solve(A, A, res)
    # one game with more equilibria (6 x 6 all-equal: 36) than the first buffer (64) after others
    Z = np.zeros((4, 6, 6))
    Z[:2] = np.random.default_rng(1).normal(size=(2, 6, 6))
    res = equilibria_batch(Z, Z[::-1])
    assert_matches_solve(Z, Z[::-1], res)


def test_results_are_read_only_and_for_game_gives_equilibria():
    res = equilibria_batch(np.eye(3)[None], np.eye(3)[None])
    for arr in (res.row, res.column, res.payoffs, res.regret, res.game_index, res.count, res.degenerate):
        assert not arr.flags.writeable
    eqs = res.for_game(0)
    assert all(isinstance(e, Equilibrium) for e in eqs)
    with pytest.raises(ValueError):
        eqs[0].row[0] = 1.0


def test_to_dict_is_json_and_consistent():
    rng = np.random.default_rng(11)
    A = rng.integers(-1, 2, size=(2, 2, 2, 3)).astype(float)
    B = rng.integers(-1, 2, size=(2, 2, 2, 3)).astype(float)
    res = equilibria_batch(A, B)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["shape"] == [2, 2] and d["count"] == res.count.tolist()
    assert d["degenerate"] == res.degenerate.tolist()
    per_game = {}
    for e in d["equilibria"]:
        per_game.setdefault(e["game"], []).append(e)
    for g in range(4):
        assert [e["row"] for e in per_game.get(g, [])] == [[float(v) for v in q.row] for q in res.for_game(g)]


def test_python_fallback_of_the_kernel_gives_the_same_result():
    # the same kernel run uncompiled (what happens without numba)
    rng = np.random.default_rng(2)
    A = rng.integers(-2, 3, size=(12, 3, 3)).astype(float)
    B = rng.normal(size=(12, 3, 3))
    res = equilibria_batch(A, B)
    kernel = getattr(_kernels.enumerate_stack, "py_func", _kernels.enumerate_stack)
    A2, B2, tol, _ = _check(A, B, DEFAULT_TOL)
    cap = 200
    bufs = [np.empty((cap, 3)), np.empty((cap, 3)), np.empty((cap, 2)), np.empty(cap), np.empty(cap, np.int64)]
    count, degen = np.zeros(12, np.int64), np.zeros(12, bool)
    g, pos = kernel(A2, B2, tol, *_bases(3, 3), 0, *bufs, 0, count, degen)
    assert g == 12 and pos == res.count.sum()
    assert np.array_equal(count, res.count) and np.array_equal(degen, res.degenerate)
    np.testing.assert_array_equal(bufs[0][:pos], res.row)
    np.testing.assert_array_equal(bufs[1][:pos], res.column)


# --------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    "A, B, tol, match",
    [
        (np.zeros(3), np.zeros(3), 1e-9, "shape"),
        (np.zeros((2, 3, 3)), np.zeros((2, 3, 2)), 1e-9, "differ in shape"),
        (np.zeros((2, 3, 3)), np.zeros((3, 3, 3)), 1e-9, "do not broadcast"),
        (np.zeros((2, 0, 3)), np.zeros((2, 0, 3)), 1e-9, "m, n >= 1"),
        (np.full((2, 2, 2), np.nan), np.zeros((2, 2, 2)), 1e-9, "NaN"),
        (np.zeros((2, 2)), np.zeros((2, 2)), 0.0, "tol"),
        (np.zeros((2, 2)), np.zeros((2, 2)), "x", "tol"),
        (np.zeros((1, 12, 12)), np.zeros((1, 12, 12)), 1e-9, "too large"),
        ([["a"]], [[1]], 1e-9, "not a real array"),
    ],
)
def test_bad_inputs(A, B, tol, match):
    with pytest.raises(ScenarioError, match=match):
        equilibria_batch(A, B, tol=tol)


@pytest.mark.parametrize("m, n", [(2, 2), (3, 3), (4, 4), (2, 5), (6, 6)])
def test_gaussian_random_games_match_solve(m, n):
    rng = np.random.default_rng(100 + 10 * m + n)
    A = rng.normal(size=(30, m, n))
    B = rng.normal(size=(30, m, n))
    assert_matches_solve(A, B, equilibria_batch(A, B))


# --------------------------------------------------------------------------
# the 3 x 3 kernel


def _run_kernel(kernel, A, B, tol, *tables):
    N = len(A)
    cap = 9 * N + 10  # all-equal 3 x 3 games have 9 extreme equilibria
    bufs = [np.empty((cap, 3)), np.empty((cap, 3)), np.empty((cap, 2)), np.empty(cap), np.empty(cap, np.int64)]
    count, degen = np.zeros(N, np.int64), np.zeros(N, bool)
    g, pos = kernel(A, B, tol, *tables, 0, *bufs, 0, count, degen)
    assert g == N
    return [b[:pos] for b in bufs] + [count, degen]


@pytest.mark.parametrize("tol", [DEFAULT_TOL, 1e-6, 1e-3])
def test_3x3_kernel_is_bit_identical_to_the_general_kernel(tol):
    from batna.games._kernel33 import enumerate_stack33

    rng = np.random.default_rng(33)
    Ae, Be, _ = engagement_games(4, 3000)
    A = np.concatenate([Ae, rng.normal(size=(2000, 3, 3)), rng.integers(-2, 3, size=(2000, 3, 3)),
                        rng.integers(0, 2, size=(500, 3, 3)), np.zeros((20, 3, 3))])
    B = np.concatenate([Be, rng.normal(size=(2000, 3, 3)), rng.integers(-2, 3, size=(2000, 3, 3)),
                        rng.integers(0, 2, size=(500, 3, 3)), np.zeros((20, 3, 3))])
    A2, B2, tol, _ = _check(A, B, tol)
    general = _run_kernel(_kernels.enumerate_stack, A2, B2, tol, *_bases(3, 3))
    special = _run_kernel(enumerate_stack33, A2, B2, tol)
    assert general[-1].any() and not general[-1].all()  # degenerate and nondegenerate games
    for x, y in zip(general, special):
        assert np.array_equal(x, y)
    # and what equilibria_batch returns is that result
    res = equilibria_batch(A, B, tol=tol)
    for x, y in zip(special, (res.row, res.column, res.payoffs, res.regret, res.game_index, res.count, res.degenerate)):
        assert np.array_equal(x, y)


def test_python_fallback_of_the_3x3_kernel_gives_the_same_result():
    from batna.games import _kernel33

    rng = np.random.default_rng(8)
    A = rng.integers(-2, 3, size=(40, 3, 3)).astype(float)
    B = np.concatenate([rng.normal(size=(20, 3, 3)), rng.integers(-1, 2, size=(20, 3, 3))])
    A2, B2, tol, _ = _check(A, B, DEFAULT_TOL)
    kernel = getattr(_kernel33.enumerate_stack33, "py_func", _kernel33.enumerate_stack33)
    res = equilibria_batch(A, B)
    got = _run_kernel(kernel, A2, B2, tol)
    for x, y in zip(got, (res.row, res.column, res.payoffs, res.regret, res.game_index, res.count, res.degenerate)):
        assert np.array_equal(x, y)


def test_output_buffers_resized_after_the_pilot():
    # more games than the pilot (2048), with more equilibria per game after it than
    # in it: the capacity estimated from the pilot is too small and must grow again
    rng = np.random.default_rng(12)
    A = rng.normal(size=(6000, 3, 3))
    A[3000:] = 0.0  # 9 equilibria each
    B = A.copy()
    res = equilibria_batch(A, B)
    assert res.count[3000:].tolist() == [9] * 3000
    assert res.count.sum() == len(res.game_index) == len(res.row)
    idx = np.r_[0:20, 2040:2060, 2990:3010, 5980:6000]
    sub = equilibria_batch(A[idx], B[idx])
    assert np.array_equal(res.count[idx], sub.count)
    off = res.offsets
    for k, g in enumerate(idx):
        np.testing.assert_array_equal(res.row[off[g]:off[g + 1]], sub.row[sub.offsets[k]:sub.offsets[k + 1]])
        np.testing.assert_array_equal(res.column[off[g]:off[g + 1]], sub.column[sub.offsets[k]:sub.offsets[k + 1]])
    assert_matches_solve(A[idx[::4]], B[idx[::4]], equilibria_batch(A[idx[::4]], B[idx[::4]]))
