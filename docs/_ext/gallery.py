"""Sphinx extension: draw the gallery figures from the bundled scenarios at build time.

On ``builder-inited`` every figure listed in :data:`FIGURES` is computed with
:func:`batna.figures.figure_data` and saved as PNG (plus its CSV) into
``docs/_gallery/`` (git-ignored), which ``docs/gallery.md`` includes.  The
figures therefore always show what the code in the tree computes; nothing
drawn is committed.
"""

from __future__ import annotations

import time
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Output directory, relative to the documentation source directory.
OUT = "_gallery"
#: Sobol base samples of the gallery (small, to keep the build fast) and its seed.
SOBOL_N = 128
SOBOL_SEED = 1
#: (file stem, kind, scenario, options) of every gallery figure.
FIGURES = (
    ("barbados-frontier", "frontier", "2019-barbados", {}),
    ("barbados-batna-bars", "batna-bars", "2019-barbados", {}),
    ("barbados-heatmap", "heatmap", "2019-barbados", {}),
    ("barbados-tornado", "tornado", "2019-barbados", {}),
    ("barbados-sobol", "sobol", "2019-barbados", {"n": SOBOL_N, "seed": SOBOL_SEED}),
    ("rounds", "rounds", "2019-barbados", {}),
    ("sponsor-bargain-frontier", "frontier", "counterfactual-sponsor-bargain", {}),
)


def generate(srcdir) -> list[Path]:
    """Draw every gallery figure into ``<srcdir>/_gallery``; return the files written."""
    from batna import load_scenario
    from batna.figures import figure_data, save_figure

    out = Path(srcdir) / OUT
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, kind, scenario, options in FIGURES:
        written += save_figure(figure_data(kind, load_scenario(scenario), **options), out / stem, ["png"])
    return written


def _builder_inited(app) -> None:
    start = time.perf_counter()
    files = generate(app.srcdir)
    logger.info(f"gallery: {len(files)} files in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.connect("builder-inited", _builder_inited)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
