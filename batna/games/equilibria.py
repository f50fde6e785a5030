r"""All extreme Nash equilibria of a bimatrix game by vertex enumeration.

Definitions
-----------
A *bimatrix game* is a pair :math:`(A, B)` of real :math:`m \times n`
matrices. The row player chooses a mixed strategy :math:`x \in X =
\{x \in \mathbb{R}^m : x \ge 0, \mathbf{1}^\top x = 1\}` and receives
:math:`x^\top A y`; the column player chooses :math:`y \in Y` (the simplex in
:math:`\mathbb{R}^n`) and receives :math:`x^\top B y`. A pure strategy is a
*best response* to the opponent's mixed strategy if it maximises the player's
expected payoff. :math:`(x, y)` is a *Nash equilibrium* if every pure strategy
played with positive probability is a best response (best-response condition,
von Stengel 2007, Theorem 3.1), equivalently if the *regret*

.. math::

    \max\bigl(\max_i (Ay)_i - x^\top A y,\; \max_j (B^\top x)_j - x^\top B y\bigr)

is zero. A game is *nondegenerate* if no mixed strategy with support of size
:math:`k` has more than :math:`k` pure best responses (von Stengel 2007,
Definition 3.2). An equilibrium is *extreme* if it is not a proper convex
combination of other equilibria within a Nash subset (see
:mod:`batna.games.subsets`).

With :math:`A, B > 0` the *best-response polytopes* are

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le \mathbf{1}\}, \qquad
    Q = \{y \in \mathbb{R}^n : A y \le \mathbf{1},\ y \ge 0\}.

Label the pure strategies of the row player :math:`0, \dots, m-1` and those
of the column player :math:`m, \dots, m+n-1`. A point :math:`x \in P` has label
:math:`i` if :math:`x_i = 0` and label :math:`m + j` if
:math:`(B^\top x)_j = 1`; :math:`y \in Q` has label :math:`i` if
:math:`(Ay)_i = 1` and label :math:`m + j` if :math:`y_j = 0`. A pair
:math:`(x, y) \ne (0, 0)` is *completely labelled* if every label
:math:`0, \dots, m+n-1` is a label of :math:`x` or of :math:`y`; then
:math:`(x / \mathbf{1}^\top x,\ y / \mathbf{1}^\top y)` is a Nash equilibrium,
and every extreme equilibrium arises in this way from a pair of *vertices* of
:math:`P \times Q` (von Stengel 2002, Section 2.4 and 2.7; von Stengel 2007,
Theorem 3.4 and Algorithm 3.5; Avis et al. 2010, Section 3).

Algorithm
---------
1. Validate the input and map each matrix affinely onto :math:`[0, 1]`
   (``(A - min A) / (max A - min A)``; a constant matrix becomes all zeros),
   then add 1 so that all payoffs lie in :math:`[1, 2]`. Positive affine
   transformations of a player's payoffs do not change best responses, so
   the equilibria are unchanged, and every tolerance below is measured on this
   normalised scale. The results are therefore invariant under
   ``A -> a*A + b`` (``a > 0``) and likewise for ``B``.
2. Enumerate every vertex of :math:`P` (dimension :math:`m`, :math:`m + n`
   constraints) by trying every set of :math:`m` constraints as equalities,
   solving the square system with :func:`numpy.linalg.solve` (systems whose
   smallest singular value is below ``1e-12`` times the largest are skipped
   as singular), keeping the solutions that satisfy all constraints up to
   ``tol`` and merging solutions closer than ``tol`` (max norm). Degenerate
   vertices, on more than :math:`m` facets, are found too: some :math:`m` of
   their tight constraints are linearly independent. Likewise for :math:`Q`.
3. Keep every completely labelled pair of nonzero vertices (a constraint is
   *tight*, i.e. gives its label, if it holds with equality up to ``tol``)
   and normalise it. Probabilities below ``tol`` are set to 0, negative
   rounding noise is clipped, and each strategy is rescaled to sum to 1.

Guarantee: on the normalised scale a tight constraint may miss equality by
``tol``, a vertex sums to at least 1/2, and zeroed probabilities are below
``tol``; so every returned equilibrium's regret is at most
``(4 + max(m, n)) * tol`` times the player's payoff range (plus rounding),
not ``tol`` itself.  Each :class:`Equilibrium` carries its exact regret.

This finds every extreme equilibrium also for degenerate games, like
Gambit's ``enummixed``, including games where all payoffs are equal.

Degeneracy criterion
--------------------
``degenerate`` is True iff some vertex of :math:`P` has more than :math:`m`
tight constraints or some vertex of :math:`Q` more than :math:`n` (tightness
up to ``tol``). This is equivalent to von Stengel's definition: a nonzero
:math:`x \in P` with :math:`\max_j (B^\top x)_j = 1` is the scaled mixed
strategy :math:`x / \mathbf{1}^\top x`, whose labels are its unplayed
strategies and its pure best responses, so "support :math:`k`, more than
:math:`k` best responses" means "more than :math:`m` labels"; the points with
a given set of labels form a face of :math:`P`, and each vertex of that face
has at least those labels, so it suffices to inspect vertices.

Cost and limits
---------------
The enumeration solves :math:`\binom{m+n}{m}` systems of size :math:`m` and
:math:`\binom{m+n}{n}` of size :math:`n` (3 432 each for a 7 x 7 game), and
compares all vertex pairs. It is meant for the small games of this package
(up to about 7 x 7; a 3 x 3 game takes about 0.5-1 ms, a 7 x 7 game about
50 ms). Games with :math:`\binom{m+n}{m} >` :data:`MAX_BASES` are rejected with
:class:`ValueError`.

References
----------
.. [vS02] B. von Stengel (2002), "Computing equilibria for two-person games",
   Chapter 45 in R. J. Aumann and S. Hart (eds.), *Handbook of Game Theory
   with Economic Applications*, Vol. 3, Elsevier, pp. 1723-1759;
   Sections 2.4 (representation by polyhedra), 2.6 (degenerate games) and
   2.7 (equilibrium enumeration).
.. [vS07] B. von Stengel (2007), "Equilibrium computation for two-player
   games in strategic and extensive form", Chapter 3 in N. Nisan,
   T. Roughgarden, E. Tardos and V. Vazirani (eds.), *Algorithmic Game
   Theory*, Cambridge University Press, pp. 53-78; Definition 3.2
   (nondegenerate game) and Algorithm 3.5 (equilibria by vertex enumeration).
.. [ARSvS10] D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel (2010),
   "Enumeration of Nash equilibria for two-player games", *Economic Theory*
   42:9-37.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any

import numpy as np

from batna.errors import ScenarioError

__all__ = [
    "DEFAULT_TOL",
    "MAX_BASES",
    "Equilibrium",
    "EquilibriumResult",
    "equilibria",
    "solve",
]

#: Default tolerance, relative to each player's payoff range (see module doc).
DEFAULT_TOL: float = 1e-9

#: Largest number of candidate bases ``C(m+n, m)`` the enumeration accepts.
MAX_BASES: int = 200_000

_RCOND = 1e-12  # smallest singular value / largest below which a basis is singular
_CHUNK = 20_000


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One extreme Nash equilibrium.

    Attributes
    ----------
    row : numpy.ndarray
        Row player's mixed strategy (length m, nonnegative, sums to 1;
        read-only).
    column : numpy.ndarray
        Column player's mixed strategy (length n; read-only).
    payoffs : tuple of float
        Expected payoffs ``(row @ A @ column, row @ B @ column)`` in the
        original units.
    regret : float
        Largest gain either player could obtain by a unilateral deviation, in
        the original payoff units (0 for an exact equilibrium; rounding
        leaves it of the order of ``tol`` times the payoff range).
    """

    row: np.ndarray
    column: np.ndarray
    payoffs: tuple[float, float]
    regret: float

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready representation (lists and floats)."""
        return {
            "row": [float(v) for v in self.row],
            "column": [float(v) for v in self.column],
            "payoffs": [float(self.payoffs[0]), float(self.payoffs[1])],
            "regret": float(self.regret),
        }


@dataclass(frozen=True, eq=False)
class EquilibriumResult:
    """All extreme equilibria of a game and its maximal Nash subsets.

    Attributes
    ----------
    method : str
        ``"vertex-enumeration"``.
    tol : float
        Tolerance used, relative to the payoff ranges.
    equilibria : tuple of Equilibrium
        Every extreme equilibrium, in canonical order: lexicographic on
        ``(row, column)`` rounded to 12 decimals.
    degenerate : bool
        Whether the game is degenerate (criterion in the module docstring).
    subsets : tuple of NashSubset
        Maximal Nash subsets (see :mod:`batna.games.subsets`).
    """

    method: str
    tol: float
    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    subsets: tuple  # tuple[NashSubset, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready representation."""
        return {
            "method": self.method,
            "tol": float(self.tol),
            "degenerate": bool(self.degenerate),
            "equilibria": [e.to_dict() for e in self.equilibria],
            "subsets": [s.to_dict() for s in self.subsets],
        }


def _as_game(A: Any, B: Any) -> tuple[np.ndarray, np.ndarray]:
    mats = []
    for name, M in (("A", A), ("B", B)):
        try:
            arr = np.array(M, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"payoff matrix {name} is not a real matrix: {exc}") from None
        if arr.ndim != 2:
            raise ScenarioError(
                f"payoff matrix {name} must be 2-dimensional (m x n), got {arr.ndim} dimension(s) "
                f"with shape {arr.shape}"
            )
        if arr.shape[0] < 1 or arr.shape[1] < 1:
            raise ScenarioError(f"payoff matrix {name} must have at least one row and one column, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ScenarioError(f"payoff matrix {name} contains NaN or infinite entries")
        mats.append(arr)
    if mats[0].shape != mats[1].shape:
        raise ScenarioError(f"payoff matrices differ in shape: A is {mats[0].shape}, B is {mats[1].shape}")
    return mats[0], mats[1]


def _normalise(M: np.ndarray) -> np.ndarray:
    """Affine map of ``M`` onto [0, 1]; a constant matrix becomes zeros."""
    lo, hi = M.min(), M.max()
    if hi == lo:
        return np.zeros_like(M)
    rng = hi - lo
    if not np.isfinite(rng):  # overflow for entries near +-1.8e308
        half = M * 0.5
        return (half - lo * 0.5) / (hi * 0.5 - lo * 0.5)
    return (M - lo) / rng


def _vertices(G: np.ndarray, h: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """All vertices of the bounded polytope ``{z : G z <= h}``.

    Returns the vertices (k x d) in deterministic order and a boolean matrix
    (k x rows of G) of tight constraints.
    """
    ncon, d = G.shape
    idx = _bases(ncon, d)
    found: list[np.ndarray] = []
    for start in range(0, len(idx), _CHUNK):
        sub = idx[start : start + _CHUNK]
        M = G[sub]
        rhs = h[sub]
        s = np.linalg.svd(M, compute_uv=False)
        ok = s[:, -1] > _RCOND * s[:, 0]
        if not ok.any():
            continue
        try:
            z = np.linalg.solve(M[ok], rhs[ok][..., None])[..., 0]
        except np.linalg.LinAlgError:  # pragma: no cover - filtered by the SVD test
            sols = []
            for Mi, ri in zip(M[ok], rhs[ok]):
                try:
                    sols.append(np.linalg.solve(Mi, ri))
                except np.linalg.LinAlgError:
                    sols.append(np.full(d, np.nan))
            z = np.array(sols).reshape(-1, d)
        slack = z @ G.T - h
        feasible = np.all(slack <= tol, axis=1) & np.all(np.isfinite(z), axis=1)
        found.append(z[feasible])
    F = np.concatenate(found) if found else np.zeros((0, d))
    # merge solutions closer than tol (max norm), keeping the first of each
    keep = np.ones(len(F), dtype=bool)
    for k in range(len(F)):
        if keep[k]:
            close = np.max(np.abs(F[k + 1 :] - F[k]), axis=1) <= tol
            keep[k + 1 :] &= ~close
    V = F[keep]
    tight = np.abs(V @ G.T - h) <= tol
    return V, tight


@lru_cache(maxsize=64)
def _bases(ncon: int, d: int) -> np.ndarray:
    """All ``d``-subsets of ``range(ncon)`` as rows, in lexicographic order."""
    idx = np.array(list(combinations(range(ncon), d)), dtype=np.intp).reshape(-1, d)
    idx.setflags(write=False)
    return idx


def _clean(p: np.ndarray, tol: float) -> np.ndarray:
    p = np.where(p < tol, 0.0, p)
    total = p.sum()
    p = p / total
    # make the sum exact to the extent floats allow: put the residual on the
    # largest entry
    k = int(np.argmax(p))
    p[k] += 1.0 - p.sum()
    p.setflags(write=False)
    return p


def _regret(A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    Ay = A @ y
    xB = x @ B
    return float(max(Ay.max() - x @ Ay, xB.max() - xB @ y, 0.0))


def _key(x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    return tuple(np.round(np.concatenate([x, y]), 12).tolist())


def solve(A: Any, B: Any, tol: float = DEFAULT_TOL) -> EquilibriumResult:
    """Enumerate all extreme Nash equilibria of the bimatrix game ``(A, B)``.

    Vertex enumeration of the best-response polytopes (von Stengel 2002,
    Sections 2.4-2.7; von Stengel 2007, Algorithm 3.5), extended to
    degenerate games by enumerating every vertex, including vertices on more
    facets than the dimension. See the module docstring for the definitions,
    the algorithm and the degeneracy criterion.

    Parameters
    ----------
    A, B : array_like
        Payoffs of the row and column player, real and finite, both of shape
        ``(m, n)`` with ``m, n >= 1``.
    tol : float, optional
        Tolerance (default :data:`DEFAULT_TOL`). It is applied after each
        matrix has been mapped affinely onto [0, 1], so it is relative to each
        player's payoff range and the result is invariant under positive
        affine transformations of ``A`` or ``B``. Constraints within ``tol``
        of equality count as tight (ties), vertices closer than ``tol`` are
        merged, and probabilities below ``tol`` are set to zero.

    Returns
    -------
    EquilibriumResult
        Extreme equilibria in canonical order, the degeneracy flag and the
        maximal Nash subsets (Avis et al. 2010).

    Raises
    ------
    ValueError
        (:class:`batna.errors.ScenarioError`) if the matrices are not 2-D,
        differ in shape, are empty or contain NaN or infinity, if ``tol`` is
        not in (0, 1), or if the game is too large
        (:data:`MAX_BASES`).

    References
    ----------
    B. von Stengel (2002), "Computing equilibria for two-person games",
    Handbook of Game Theory Vol. 3, Ch. 45, pp. 1723-1759.
    B. von Stengel (2007), "Equilibrium computation for two-player games in
    strategic and extensive form", Algorithmic Game Theory, Ch. 3.
    D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel (2010), "Enumeration
    of Nash equilibria for two-player games", Economic Theory 42:9-37.

    Examples
    --------
    >>> res = solve([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])  # matching pennies
    >>> [e.row.round(12).tolist() for e in res.equilibria], res.degenerate
    ([[0.5, 0.5]], False)
    """
    from batna.games.subsets import nash_subsets

    A, B = _as_game(A, B)
    try:
        tol_f = float(tol)
    except (TypeError, ValueError):
        tol_f = math.nan
    if not (math.isfinite(tol_f) and 0 < tol_f < 1):
        raise ScenarioError(f"tol must be a number in (0, 1), got {tol!r}")
    tol = tol_f
    m, n = A.shape
    if math.comb(m + n, m) > MAX_BASES:
        raise ScenarioError(
            f"game of shape {m} x {n} is too large for vertex enumeration "
            f"(C({m + n}, {m}) = {math.comb(m + n, m)} > {MAX_BASES} candidate bases)"
        )
    An = _normalise(A) + 1.0
    Bn = _normalise(B) + 1.0

    # P: labels 0..m-1 are x_i >= 0, labels m..m+n-1 are (B^T x)_j <= 1.
    GP = np.vstack([-np.eye(m), Bn.T])
    hP = np.concatenate([np.zeros(m), np.ones(n)])
    # Q: labels 0..m-1 are (A y)_i <= 1, labels m..m+n-1 are y_j >= 0.
    GQ = np.vstack([An, -np.eye(n)])
    hQ = np.concatenate([np.ones(m), np.zeros(n)])

    VP, TP = _vertices(GP, hP, tol)
    VQ, TQ = _vertices(GQ, hQ, tol)
    degenerate = bool((TP.sum(axis=1) > m).any() or (TQ.sum(axis=1) > n).any())

    nzP = VP.sum(axis=1) > tol
    nzQ = VQ.sum(axis=1) > tol
    VP, TP = VP[nzP], TP[nzP]
    VQ, TQ = VQ[nzQ], TQ[nzQ]
    missing = (~TP).astype(np.int64) @ (~TQ).astype(np.int64).T
    pairs = np.argwhere(missing == 0)

    found = []
    for a, b in pairs:
        x = _clean(VP[a] / VP[a].sum(), tol)
        y = _clean(VQ[b] / VQ[b].sum(), tol)
        found.append((_key(x, y), int(a), int(b), x, y))
    found.sort(key=lambda t: t[:3])

    eqs = []
    for _, _, _, x, y in found:
        payoffs = (float(x @ A @ y), float(x @ B @ y))
        eqs.append(Equilibrium(row=x, column=y, payoffs=payoffs, regret=_regret(A, B, x, y)))
    eqs_t = tuple(eqs)
    # vertex identities: distinct vertices of P (of Q) give distinct strategies
    subsets = nash_subsets(eqs_t, [t[1] for t in found], [t[2] for t in found])
    return EquilibriumResult(
        method="vertex-enumeration", tol=tol, equilibria=eqs_t, degenerate=degenerate, subsets=subsets
    )


def equilibria(A: Any, B: Any, tol: float = DEFAULT_TOL) -> list[Equilibrium]:
    """All extreme Nash equilibria of ``(A, B)``: ``list(solve(A, B, tol).equilibria)``.

    See :func:`solve` for parameters, tolerance and references.
    """
    return list(solve(A, B, tol).equilibria)
