"""Publication style: palette, line styles, hatches, fonts, and deterministic saving.

Colours are the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal
Design"), safe for the common colour-vision deficiencies.  Colour is never the
only cue: each series also has its own line style, marker or hatch, so the
figures read in greyscale.  Fonts are DejaVu Sans (shipped with matplotlib, so
output does not depend on the fonts installed) at print sizes for a figure
about 16 cm wide.

Saving is deterministic where the backend allows: no dates in PDF or SVG
metadata, a fixed ``svg.hashsalt`` for SVG element ids, no software version in
PNG metadata; the same data give byte-identical files on the same matplotlib.
This module imports matplotlib; :mod:`batna.figures.data` does not.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "SIDE", "SPONSOR", "RC", "FORMATS", "DPI", "context", "new_figure", "to_bytes"]

#: Okabe-Ito colours by name.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Each side's colour, line style and marker (government solid, opposition dashed).
SIDE = {
    "government": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "marker": "o"},
    "opposition": {"color": OKABE_ITO["blue"], "linestyle": "--", "marker": "s"},
}
#: Each sponsor's colour and hatch.
SPONSOR = {
    "us": {"color": OKABE_ITO["blue"], "hatch": ""},
    "russia": {"color": OKABE_ITO["vermillion"], "hatch": "///"},
    "china": {"color": OKABE_ITO["orange"], "hatch": "\\\\\\"},
    "cuba": {"color": OKABE_ITO["bluish_green"], "hatch": "xx"},
}
#: Markers of the bargaining solutions (distinct shapes; filled white so they read on lines).
SOLUTION = {
    "nash": {"marker": "D", "label": "Nash"},
    "kalai_smorodinsky": {"marker": "^", "label": "Kalai-Smorodinsky"},
    "rubinstein": {"marker": "v", "label": "Rubinstein"},
    "compromise": {"marker": "X", "label": "best compromise"},
}
GREY = "#999999"

FORMATS = ("png", "svg", "pdf")
DPI = 200

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.6,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "svg.hashsalt": "batna",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": False,
    "image.cmap": "cividis",
}

#: Metadata that keeps each format free of dates and version strings.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


@contextmanager
def context():
    """Apply :data:`RC` (and nothing global) for the duration of a figure's build and save."""
    with matplotlib.rc_context(RC):
        yield


def new_figure(width: float = 6.4, height: float = 3.8) -> Figure:
    """A figure on the non-interactive Agg canvas (no pyplot, no global state); inches."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def to_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure encoded as ``png`` (dpi :data:`DPI`), ``svg`` or ``pdf``, deterministically."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; choose from {', '.join(FORMATS)}")
    buf = io.BytesIO()
    with context():
        fig.savefig(buf, format=fmt, metadata=METADATA[fmt], dpi=DPI)
    return buf.getvalue()
