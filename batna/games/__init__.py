"""Equilibria of the per-stage bimatrix games.

Public API: :func:`equilibria`, :func:`solve`, :class:`Equilibrium`,
:class:`EquilibriumResult`, :class:`NashSubset`, :data:`DEFAULT_TOL`, and the
batched :func:`equilibria_batch` / :class:`BatchResult` (loaded on first use).
See :mod:`batna.games.equilibria` and :mod:`batna.games.subsets`.
"""

from batna.games.equilibria import DEFAULT_TOL, Equilibrium, EquilibriumResult, equilibria, solve
from batna.games.subsets import NashSubset


def __getattr__(name):
    # The batched solver loads numba (about 2 s): import it only when it is used.
    if name in ("BatchResult", "equilibria_batch"):
        from batna.games import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'batna.games' has no attribute {name!r}")

__all__ = ["BatchResult", "DEFAULT_TOL", "Equilibrium", "EquilibriumResult", "NashSubset", "equilibria", "equilibria_batch", "solve"]
