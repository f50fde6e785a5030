"""Thresholds: where, moving one sponsor parameter alone, the verdict flips.

For each sponsor parameter, the margin m (MODEL.md section 4) is evaluated on
a grid over the parameter's valid range with every other parameter held at its
scenario value; each sign change of ``m >= 0`` between neighbouring grid points
is then refined by bisection to the value where the verdict flips.  The margin
is piecewise smooth and may jump (indicator terms such as the US red line), so
bisection is used rather than a derivative-based root finder: it converges to
the flip point whether that is a root or a jump.

Tolerances
----------
``GRID`` points per parameter (flips closer together than one grid step can be
missed; the grid is fine enough for the default model's piecewise-linear
structure), and ``XTOL`` (relative to the range) for the refined value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model
from . import parameters as _params

__all__ = ["Flip", "Threshold", "find_thresholds", "GRID", "XTOL"]

GRID = 401
XTOL = 1e-10
_ITER = 48


@dataclass(frozen=True)
class Flip:
    """One value at which the verdict flips.

    ``opens`` is True when the ZOPA is open just above ``value`` and closed
    just below it.
    """

    value: float
    opens: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "direction": "opens above" if self.opens else "closes above"}


@dataclass(frozen=True)
class Threshold:
    """Verdict flips of one parameter within its valid range."""

    key: str
    current: float
    unit: str
    low: float
    high: float
    flips: tuple[Flip, ...]

    @property
    def nearest(self) -> Flip | None:
        """The flip closest to the current value (None if there is none in range)."""
        if not self.flips:
            return None
        return min(self.flips, key=lambda f: (abs(f.value - self.current), f.value))

    @property
    def distance(self) -> float | None:
        """Signed move from the current value to the nearest flip, or None."""
        f = self.nearest
        return None if f is None else f.value - self.current

    def to_dict(self) -> dict:
        return {
            "parameter": self.key,
            "current": self.current,
            "unit": self.unit,
            "range": [self.low, self.high],
            "flips": [f.to_dict() for f in self.flips],
            "nearest": None if self.nearest is None else self.nearest.value,
            "distance": self.distance,
        }


def _grid(p: _params.Parameter) -> np.ndarray:
    lo, hi = p.low, p.high
    span = hi - lo
    g = np.linspace(lo, hi, GRID)
    if p.low_open:
        g[0] = lo + 1e-9 * span
    if p.high_open:
        g[-1] = hi - 1e-9 * span
    return g


def find_thresholds(values: dict[str, float], keys=None) -> tuple[Threshold, ...]:
    """Flip points of the verdict for each parameter in ``keys`` (default: sponsor parameters).

    All parameters are scanned in one vectorised model call, then all
    brackets are bisected together.
    """
    keys = tuple(keys) if keys is not None else _params.sponsor_keys()
    specs = [_params.get(k) for k in keys]
    grids = [_grid(p) for p in specs]
    n = len(grids[0])
    pts = {k: np.full((len(keys), n), float(v)) for k, v in values.items()}
    for i, (k, g) in enumerate(zip(keys, grids)):
        pts[k] = pts[k].copy()
        pts[k][i] = g
    open_ = model.margin(pts) >= 0

    which, col = np.nonzero(open_[:, 1:] != open_[:, :-1])  # row-major: sorted by parameter, value
    G = np.stack(grids)
    lo, hi = G[which, col], G[which, col + 1]
    lo_open = open_[which, col]
    if len(which):
        base = {k: np.full(len(which), float(v)) for k, v in values.items()}
        key_rows = {k: np.flatnonzero(np.array([keys[i] == k for i in which])) for k in set(keys)}
        for _ in range(_ITER):
            mid = 0.5 * (lo + hi)
            for k, rows in key_rows.items():
                base[k][rows] = mid[rows]
            m_open = model.margin(base) >= 0
            same = m_open == lo_open
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        flips_at = 0.5 * (lo + hi)
    out = []
    for i, (k, p) in enumerate(zip(keys, specs)):
        rows = np.flatnonzero(which == i)
        flips = tuple(Flip(float(flips_at[r]), bool(not lo_open[r])) for r in rows)
        out.append(Threshold(k, float(values[k]), p.unit, p.low, p.high, flips))
    return tuple(out)
