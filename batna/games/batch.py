r"""All extreme equilibria of every game in a stack of bimatrix games.

:func:`equilibria_batch` takes payoff arrays of shape ``(..., m, n)`` and
returns a :class:`BatchResult`: every extreme Nash equilibrium of every game,
in flat structure-of-arrays form, and a degeneracy flag per game. There is no
Python loop over games: one compiled kernel runs the vertex enumeration of
:func:`batna.games.solve` on each game in turn (:mod:`batna.games._kernel33`
for 3 x 3 games, :mod:`batna.games._kernels` for every other size; the two
give bit-identical results on 3 x 3 games).

Algorithm
---------
Per game, exactly the vertex enumeration of :mod:`batna.games.equilibria`
([vS02]_, Sections 2.4-2.7; [vS07]_, Algorithm 3.5),
including its treatment of degenerate games (every vertex of each
best-response polytope is enumerated, including vertices on more facets than
the dimension, so every extreme equilibrium is found) and its tolerance
convention (``tol`` relative to each player's payoff range, after the affine
map onto [1, 2]). The one structural shortcut: a basis of the polytope
:math:`P = \{x \ge 0,\ B^\top x \le 1\}` that makes the coordinates outside
a support :math:`S` zero and the columns :math:`T` tight (:math:`|S| = |T| =
k`) is solved as the :math:`k \times k` system :math:`B_{S,T}^\top x_S = 1`
instead of the full :math:`m \times m` one; likewise for :math:`Q`. Results
agree with :func:`batna.games.solve` game by game (same equilibria in the same
canonical order, same degeneracy flag) up to rounding in the last bits; see
:mod:`batna.games._kernels` for the precise differences.

Cost
----
:math:`\binom{m+n}{m} - 1` small solves per polytope and game, so the cost
grows quickly with the game size; for the 3 x 3 engagement games of
:mod:`batna.engagement` it is about 0.6-1 microsecond per game on one core,
input checks and output arrays included (see ``docs/performance.md``). The
output is written once: buffers sized for a pilot of 2048 games, then one
buffer for the whole batch sized from the equilibria per game so far (grown
again only if that estimate is exceeded). The compiled kernels need numba;
without it the same code runs as plain Python, correctly but far slower.

References
----------
.. [vS02] B. von Stengel (2002), "Computing equilibria for two-person games",
   Chapter 45 in *Handbook of Game Theory with Economic Applications*,
   Vol. 3, Elsevier, pp. 1723-1759.
.. [vS07] B. von Stengel (2007), "Equilibrium computation for two-player
   games in strategic and extensive form", Chapter 3 in *Algorithmic Game
   Theory*, Cambridge University Press, pp. 53-78.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np

from batna.errors import ScenarioError
from batna.games._kernel33 import enumerate_stack33
from batna.games._kernels import enumerate_stack
from batna.games.equilibria import DEFAULT_TOL, MAX_BASES, Equilibrium

__all__ = ["BatchResult", "equilibria_batch"]


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Extreme equilibria of a stack of games, as flat arrays (all read-only).

    Equilibria are grouped by game (games in C order of the batch shape) and,
    within a game, in the canonical order of :func:`batna.games.solve`.

    Attributes
    ----------
    shape : tuple of int
        Batch shape ``A.shape[:-2]``.
    m, n : int
        Numbers of row and column strategies.
    tol : float
        Tolerance used, relative to each player's payoff range.
    game_index : numpy.ndarray of int64, shape (k,)
        Flat (C-order) index of the game each equilibrium belongs to,
        nondecreasing.
    row : numpy.ndarray, shape (k, m)
        Row player's mixed strategies (each nonnegative, summing to 1).
    column : numpy.ndarray, shape (k, n)
        Column player's mixed strategies.
    payoffs : numpy.ndarray, shape (k, 2)
        Expected payoffs (row player, column player) in the original units.
    regret : numpy.ndarray, shape (k,)
        Largest gain from a unilateral deviation, original units.
    count : numpy.ndarray of int64, shape ``shape``
        Number of extreme equilibria of each game.
    degenerate : numpy.ndarray of bool, shape ``shape``
        Whether each game is degenerate (criterion of
        :mod:`batna.games.equilibria`).
    """

    shape: tuple[int, ...]
    m: int
    n: int
    tol: float
    game_index: np.ndarray
    row: np.ndarray
    column: np.ndarray
    payoffs: np.ndarray
    regret: np.ndarray
    count: np.ndarray
    degenerate: np.ndarray

    @property
    def size(self) -> int:
        """Number of games."""
        return math.prod(self.shape)

    @property
    def offsets(self) -> np.ndarray:
        """``offsets[g]:offsets[g + 1]`` are the rows of flat game ``g`` (length size + 1)."""
        out = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(self.count.ravel(), out=out[1:])
        return out

    def _flat(self, game: int | tuple[int, ...]) -> int:
        if isinstance(game, tuple):
            try:
                return int(np.ravel_multi_index(game, self.shape))
            except ValueError as exc:
                raise IndexError(f"game {game} out of range for batch shape {self.shape}: {exc}") from None
        g = int(game)
        if not -self.size <= g < self.size:
            raise IndexError(f"game {g} out of range for {self.size} games")
        return g % self.size

    def for_game(self, game: int | tuple[int, ...]) -> list[Equilibrium]:
        """The equilibria of one game as :class:`batna.games.Equilibrium` objects.

        Parameters
        ----------
        game : int or tuple of int
            Flat (C-order) index, negative counting from the end, or a
            multi-index into :attr:`shape`.

        Returns
        -------
        list of Equilibrium
            Same order as ``batna.games.solve(A[game], B[game]).equilibria``.
        """
        g = self._flat(game)
        lo = int(np.searchsorted(self.game_index, g, side="left"))
        hi = int(np.searchsorted(self.game_index, g, side="right"))
        return [
            Equilibrium(
                row=self.row[k],
                column=self.column[k],
                payoffs=(float(self.payoffs[k, 0]), float(self.payoffs[k, 1])),
                regret=float(self.regret[k]),
            )
            for k in range(lo, hi)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready representation (nested lists, floats, ints, bools)."""
        return {
            "method": "vertex-enumeration",
            "tol": float(self.tol),
            "shape": [int(s) for s in self.shape],
            "m": int(self.m),
            "n": int(self.n),
            "count": self.count.tolist(),
            "degenerate": self.degenerate.tolist(),
            "equilibria": [
                {
                    "game": int(g),
                    "row": [float(v) for v in r],
                    "column": [float(v) for v in c],
                    "payoffs": [float(p[0]), float(p[1])],
                    "regret": float(e),
                }
                for g, r, c, p, e in zip(self.game_index, self.row, self.column, self.payoffs, self.regret)
            ],
        }


@lru_cache(maxsize=None)
def _bases(m: int, n: int) -> tuple[np.ndarray, ...]:
    """Bases of P and Q in the order of :func:`batna.games.equilibria._vertices`.

    P's constraints are ``x_i >= 0`` (i < m) then ``(B^T x)_j <= 1``; Q's are
    ``(A y)_i <= 1`` then ``y_j >= 0``. Each basis is stored as its size k,
    the support S (coordinates not forced to 0) and the tight rows T of the
    matrix (``B^T`` for P, ``A`` for Q), padded with -1.
    """
    d = max(m, n)
    out = []
    for dim, zero_first in ((m, True), (n, False)):
        combos = list(combinations(range(m + n), dim))
        kk = np.zeros(len(combos), dtype=np.int64)
        SS = np.full((len(combos), d), -1, dtype=np.int64)
        TT = np.full((len(combos), d), -1, dtype=np.int64)
        for b, c in enumerate(combos):
            if zero_first:  # P: 0..m-1 zero constraints, m.. tight columns
                zeros = {i for i in c if i < m}
                tight = [j - m for j in c if j >= m]
            else:  # Q: 0..m-1 tight rows, m.. zero constraints
                zeros = {j - m for j in c if j >= m}
                tight = [i for i in c if i < m]
            support = [i for i in range(dim) if i not in zeros]
            kk[b] = len(tight)
            SS[b, : len(support)] = support
            TT[b, : len(tight)] = tight
        out += [kk, SS, TT]
    return tuple(out)


def _check(A: Any, B: Any, tol: Any) -> tuple[np.ndarray, np.ndarray, float, tuple[int, ...]]:
    mats = []
    for name, M in (("A", A), ("B", B)):
        try:
            arr = np.asarray(M, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"payoff array {name} is not a real array: {exc}") from None
        if arr.ndim < 2:
            raise ScenarioError(
                f"payoff array {name} must have shape (..., m, n), got {arr.ndim} dimension(s) with shape {arr.shape}"
            )
        if arr.shape[-2] < 1 or arr.shape[-1] < 1:
            raise ScenarioError(f"payoff array {name} must have m, n >= 1, got shape {arr.shape}")
        mats.append(arr)
    A, B = mats
    if A.shape[-2:] != B.shape[-2:]:
        raise ScenarioError(f"payoff matrices differ in shape: A is {A.shape[-2:]}, B is {B.shape[-2:]}")
    try:
        batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise ScenarioError(
            f"batch shapes of A {A.shape[:-2]} and B {B.shape[:-2]} do not broadcast"
        ) from None
    for name, arr in (("A", A), ("B", B)):
        if not np.isfinite(arr).all():  # cheap test first; locate the game only on failure
            finite = np.isfinite(arr).all(axis=(-2, -1))
            bad = tuple(int(v) for v in np.argwhere(~finite)[0]) if arr.ndim > 2 else ()
            where = f" (first in game {bad})" if bad else ""
            raise ScenarioError(f"payoff array {name} contains NaN or infinite entries{where}")
    try:
        tol_f = float(tol)
    except (TypeError, ValueError):
        tol_f = math.nan
    if not (math.isfinite(tol_f) and 0 < tol_f < 1):
        raise ScenarioError(f"tol must be a number in (0, 1), got {tol!r}")
    m, n = A.shape[-2:]
    if math.comb(m + n, m) > MAX_BASES:
        raise ScenarioError(
            f"game of shape {m} x {n} is too large for vertex enumeration "
            f"(C({m + n}, {m}) = {math.comb(m + n, m)} > {MAX_BASES} candidate bases)"
        )
    A = np.ascontiguousarray(np.broadcast_to(A, batch + (m, n)).reshape(-1, m, n))
    B = np.ascontiguousarray(np.broadcast_to(B, batch + (m, n)).reshape(-1, m, n))
    return A, B, tol_f, tuple(batch)


def equilibria_batch(A: Any, B: Any, tol: float = DEFAULT_TOL) -> BatchResult:
    """Every extreme Nash equilibrium of every game in a stack.

    Parameters
    ----------
    A, B : array_like
        Payoffs of the row and column player, real and finite, shapes
        ``(..., m, n)`` with ``m, n >= 1`` (the leading batch dimensions
        broadcast against each other).
    tol : float, optional
        Tolerance in (0, 1), relative to each player's payoff range, with the
        meaning of :func:`batna.games.solve` (default
        :data:`batna.games.DEFAULT_TOL`).

    Returns
    -------
    BatchResult
        Flat arrays of all equilibria, per-game counts and degeneracy flags;
        ``result.for_game(g)`` equals ``batna.games.equilibria(A[g], B[g],
        tol)`` up to rounding in the last bits.

    Raises
    ------
    ValueError
        (:class:`batna.errors.ScenarioError`) for arrays that are not
        ``(..., m, n)``, have different ``(m, n)`` or non-broadcasting batch
        shapes, contain NaN or infinity, for ``tol`` outside (0, 1), and for
        games too large for vertex enumeration
        (:data:`batna.games.equilibria.MAX_BASES`).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[[1, -1], [-1, 1]], [[2, 0], [0, 1]]])  # pennies, coordination
    >>> res = equilibria_batch(A, -A * [[[1]], [[-1]]])
    >>> res.count.tolist(), res.degenerate.tolist()
    ([1, 3], [False, False])
    >>> res.for_game(0)[0].row.tolist()
    [0.5, 0.5]
    """
    A, B, tol, batch_shape = _check(A, B, tol)
    N, m, n = A.shape
    count = np.zeros(N, dtype=np.int64)
    degen = np.zeros(N, dtype=np.bool_)
    if m == n == 3:
        def kernel(g, bufs, pos):
            return enumerate_stack33(A, B, tol, g, *bufs, pos, count, degen)
    else:
        tables = _bases(m, n)

        def kernel(g, bufs, pos):
            return enumerate_stack(A, B, tol, *tables, g, *bufs, pos, count, degen)
    widths = ((m,), (n,), (2,), (), ())
    dtypes = (np.float64,) * 4 + (np.int64,)
    # First buffers for a pilot of at most 2048 games; when they are full, one
    # buffer for the whole batch is sized from the equilibria per game so far
    # (plus 25 %) and the rows found are copied over, so the output is written
    # once (no concatenation of chunks) and a second resize is rare.
    cap = 64 + 4 * min(N, 2048)
    bufs = [np.empty((cap,) + w, dt) for w, dt in zip(widths, dtypes)]
    g = pos = 0
    while True:
        g, pos = kernel(g, bufs, pos)
        if g >= N:
            break
        est = pos + int(1.25 * pos / g * (N - g)) + 64 if g else 0
        cap = max(est, cap + cap // 2 + 64)  # geometric growth if the estimate is too low
        new = [np.empty((cap,) + w, dt) for w, dt in zip(widths, dtypes)]
        for b_new, b_old in zip(new, bufs):
            b_new[:pos] = b_old[:pos]
        bufs = new
    if 2 * pos >= cap:
        out = [b[:pos] for b in bufs]  # views of buffers at least half full
    else:
        out = [b[:pos].copy() for b in bufs]
    arrays = out + [count.reshape(batch_shape), degen.reshape(batch_shape)]
    for arr in arrays:
        arr.setflags(write=False)
    r, c, p, e, gi, cnt, dg = arrays
    return BatchResult(shape=tuple(batch_shape), m=m, n=n, tol=tol, game_index=gi, row=r, column=c,
                       payoffs=p, regret=e, count=cnt, degenerate=dg)
