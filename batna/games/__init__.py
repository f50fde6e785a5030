"""Equilibria of the per-stage bimatrix games.

Public API: :func:`equilibria`, :func:`solve`, :class:`Equilibrium`,
:class:`EquilibriumResult`, :class:`NashSubset` and :data:`DEFAULT_TOL`.
See :mod:`batna.games.equilibria` and :mod:`batna.games.subsets`.
"""

from batna.games.equilibria import DEFAULT_TOL, Equilibrium, EquilibriumResult, equilibria, solve
from batna.games.subsets import NashSubset
from batna.games.batch import BatchResult, equilibria_batch

__all__ = ["BatchResult", "DEFAULT_TOL", "Equilibrium", "EquilibriumResult", "NashSubset", "equilibria", "equilibria_batch", "solve"]
