r"""Maximal Nash subsets of a bimatrix game.

Definitions
-----------
A *Nash subset* is a set of Nash equilibria of the form
:math:`X' \times Y'` with :math:`X'`, :math:`Y'` convex, all of whose elements
are equilibria; a *maximal* Nash subset is one not contained in another.
Every equilibrium lies in some maximal Nash subset, they are finitely many,
and the set of all equilibria is their (not necessarily disjoint) union
(Jansen 1981 [J81]_; Avis et al. 2010 [ARSvS10]_, Section 2).

Consider the bipartite graph whose nodes on one side are the vertices
:math:`x` of the best-response polytope :math:`P`, on the other the vertices
:math:`y` of :math:`Q`, with an edge for every completely labelled pair, that
is for every extreme equilibrium. The maximal Nash subsets are exactly the
sets :math:`\operatorname{conv} R \times \operatorname{conv} C` (after
normalising the strategies) for the *maximal bicliques* :math:`R \times C` of
this graph (Avis et al. 2010, Section 5, "Maximal Nash subsets"): every convex
combination of the rows of a subset, played against every convex combination
of its columns, is a Nash equilibrium. In a nondegenerate game every maximal
Nash subset is a single (isolated) equilibrium.

Algorithm
---------
For a set :math:`S` of column nodes let :math:`N(S)` be the row nodes joined
to all of :math:`S`, and vice versa. The maximal bicliques are the pairs
:math:`(N(C), C)` with :math:`C` nonempty and closed, :math:`C = N(N(C))`.
The closed column sets are exactly the nonempty intersections of
neighbourhoods :math:`N(r)` of row nodes, which we compute by closing the
family :math:`\{N(r)\}` under pairwise intersection. The number of maximal
bicliques can grow exponentially, but the graphs here are tiny.

References
----------
.. [ARSvS10] D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel (2010),
   "Enumeration of Nash equilibria for two-player games", *Economic Theory*
   42:9-37.
.. [J81] M. J. M. Jansen (1981), "Maximal Nash subsets for bimatrix games",
   *Naval Research Logistics Quarterly* 28:147-152.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["NashSubset", "nash_subsets", "maximal_bicliques"]


@dataclass(frozen=True, eq=False)
class NashSubset:
    """A maximal Nash subset: ``conv(rows) x conv(columns)``.

    Attributes
    ----------
    equilibria : tuple of int
        Indices into ``EquilibriumResult.equilibria`` of its extreme points
        (all pairs of ``rows`` and ``columns``), increasing.
    rows : tuple of numpy.ndarray
        Distinct extreme row strategies, in order of first appearance among
        ``equilibria``.
    columns : tuple of numpy.ndarray
        Distinct extreme column strategies, likewise.
    """

    equilibria: tuple[int, ...]
    rows: tuple[np.ndarray, ...]
    columns: tuple[np.ndarray, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready representation."""
        return {
            "equilibria": [int(i) for i in self.equilibria],
            "rows": [[float(v) for v in r] for r in self.rows],
            "columns": [[float(v) for v in c] for c in self.columns],
        }


def maximal_bicliques(edges: Sequence[tuple[int, int]]) -> list[tuple[frozenset, frozenset]]:
    """Maximal bicliques ``(R, C)`` of a bipartite graph given by its edges.

    Parameters
    ----------
    edges : sequence of (int, int)
        Pairs (row node, column node).

    Returns
    -------
    list of (frozenset, frozenset)
        Every maximal biclique with both sides nonempty, sorted by
        ``(sorted(R), sorted(C))``.
    """
    nbr_r: dict[int, set[int]] = {}
    nbr_c: dict[int, set[int]] = {}
    for r, c in edges:
        nbr_r.setdefault(r, set()).add(c)
        nbr_c.setdefault(c, set()).add(r)
    closed: set[frozenset] = {frozenset(s) for s in nbr_r.values()}
    frontier = sorted(closed, key=sorted)
    while frontier:
        new: set[frozenset] = set()
        for a in frontier:
            for b in list(closed):
                inter = a & b
                if inter and inter not in closed:
                    new.add(inter)
        closed |= new
        frontier = sorted(new, key=sorted)
    out = []
    for C in closed:
        R = frozenset.intersection(*(frozenset(nbr_c[c]) for c in C))
        out.append((R, C))
    out.sort(key=lambda rc: (sorted(rc[0]), sorted(rc[1])))
    return out


def nash_subsets(equilibria: Sequence[Any], row_ids: Sequence[int], col_ids: Sequence[int]) -> tuple[NashSubset, ...]:
    """Maximal Nash subsets from the extreme equilibria.

    Parameters
    ----------
    equilibria : sequence of Equilibrium
        The extreme equilibria, in their final order.
    row_ids, col_ids : sequence of int
        For each equilibrium, an identifier of its row (column) strategy:
        equal identifiers mean the same vertex of the best-response polytope.

    Returns
    -------
    tuple of NashSubset
        Sorted by their tuple of equilibrium indices.
    """
    edge_index = {(r, c): k for k, (r, c) in enumerate(zip(row_ids, col_ids))}
    subsets = []
    for R, C in maximal_bicliques(list(edge_index)):
        idx = tuple(sorted(edge_index[(r, c)] for r in R for c in C))
        rows, cols, seen_r, seen_c = [], [], set(), set()
        for k in idx:
            if row_ids[k] not in seen_r:
                seen_r.add(row_ids[k])
                rows.append(equilibria[k].row)
            if col_ids[k] not in seen_c:
                seen_c.add(col_ids[k])
                cols.append(equilibria[k].column)
        subsets.append(NashSubset(equilibria=idx, rows=tuple(rows), columns=tuple(cols)))
    subsets.sort(key=lambda s: s.equilibria)
    return tuple(subsets)
