"""Publication figures of batna's results (needs the optional ``plot`` extra: matplotlib).

Each figure kind is a pair: a data function in :mod:`batna.figures.data`
(no matplotlib; returns a :class:`~batna.figures.data.FigureData` whose rows
are the CSV written beside the figure) and a drawing function in
:mod:`batna.figures.kinds` (reads the data, computes nothing).  Adding a kind
means adding one data function, one drawing function and one entry in
:data:`KINDS` and :data:`batna.figures.kinds.DRAW`.

Kinds
-----
``frontier``
    U_G(x) and U_O(x) over the transition depth, the BATNAs, the opposition's
    price, the ZOPA, the inner-circle limit and the bargaining solutions.
``batna-bars``
    Each side's BATNA and the margin split into the sponsors' Shapley
    contributions against a no-sponsor baseline.
``heatmap``
    The margin over two swept parameters with the ZOPA boundary m = 0.
``rounds``
    Margin and both BATNAs of every bundled round and counterfactual.
``tornado``
    The margin at each uncertain parameter's low and high end (one at a
    time), sorted by swing (:func:`batna.sensitivity.tornado`).
``sobol``
    First-order and total Sobol indices, with bootstrap intervals, of the
    margin and of the ZOPA indicator (:func:`batna.sensitivity.run`).

Example
-------
>>> from batna import load_scenario
>>> from batna.figures import figure_data, save_figure
>>> data = figure_data("frontier", load_scenario("2019-barbados"))      # doctest: +SKIP
>>> save_figure(data, "barbados-frontier", ["png", "pdf"])               # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BatnaError
from ..io import atomic_write_bytes, atomic_write_text
from . import data
from .data import FigureData, for_kind as figure_data

__all__ = ["KINDS", "FORMATS", "FigureData", "figure_data", "MissingMatplotlib", "require_matplotlib",
           "draw", "save_figure"]

#: Figure kinds and one-line descriptions (``batna plot --kind``).
KINDS: dict[str, str] = {
    "frontier": "utilities U_G(x), U_O(x), BATNAs, ZOPA, limits and bargaining solutions",
    "batna-bars": "each side's BATNA (and the margin) split into sponsor contributions (Shapley values)",
    "heatmap": "margin over two swept parameters, with the ZOPA boundary m = 0",
    "rounds": "margin and both BATNAs of the bundled rounds and counterfactuals",
    "tornado": "margin at each uncertain parameter's low and high end, by swing",
    "sobol": "first-order and total Sobol indices (95% intervals) of the margin and the ZOPA",
}
#: Output formats of the figures (the data is always also written as CSV).
FORMATS = ("png", "svg", "pdf")


class MissingMatplotlib(BatnaError):
    """matplotlib, needed to draw figures, is not installed."""


def require_matplotlib() -> None:
    """Raise :class:`MissingMatplotlib` with an install hint if matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingMatplotlib("figures need matplotlib, which is not installed; "
                                "install it with `pip install 'batna[plot]'` (or `pip install matplotlib`)") from None


def draw(d: FigureData):
    """The matplotlib Figure of a figure's data (Agg canvas, publication style)."""
    require_matplotlib()
    from . import kinds, style

    with style.context():
        return kinds.DRAW[d.kind](d)


def save_figure(d: FigureData, stem, formats=("png",)) -> list[Path]:
    """Draw ``d`` and write ``<stem>.<fmt>`` for each format plus ``<stem>.csv``, atomically.

    Parameters
    ----------
    d : FigureData
    stem : str or path-like
        Output path without extension.
    formats : iterable of str
        Any of :data:`FORMATS`.

    Returns
    -------
    list of pathlib.Path
        The files written: the figures in the order given, then the CSV.
    """
    require_matplotlib()
    from . import style

    stem = Path(stem)
    written = []
    for fmt in formats:
        # A fresh figure per format: layout engines refine positions on every draw, so
        # reusing one figure would make a file depend on which formats were saved before it.
        path = stem.with_name(f"{stem.name}.{fmt}")
        atomic_write_bytes(path, style.to_bytes(draw(d), fmt))
        written.append(path)
    csv = stem.with_name(f"{stem.name}.csv")
    atomic_write_text(csv, d.to_csv())
    written.append(csv)
    return written
