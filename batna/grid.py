"""Sweep grids: parsing and validating ``--grid KEY=START:STOP:NUM`` specifications.

A grid is the Cartesian product of one 1-D array of values per swept
parameter, in the order given.  Each axis is written either as an array or as
the text ``"start:stop:num"``, read like ``numpy.linspace(start, stop, num)``
(both ends included; ``num = 1`` gives ``[start]``).

Every mistake is a :class:`~batna.errors.ScenarioError` naming the key, the
value and the allowed range: an unknown parameter (with the closest valid
name), a value outside the parameter's range, ``num < 1``, a malformed
specification, the same key swept twice, or a swept key that is also fixed
with ``--set``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from . import parameters as _params
from .errors import ScenarioError
from .scenario import COMMAND_LINE

__all__ = ["Grid", "parse_grid", "parse_grid_option", "parse_axis"]


@dataclass(frozen=True)
class Grid:
    """A validated sweep grid.

    Attributes
    ----------
    keys : tuple of str
        Swept parameters (``actor.name``), in dimension order.
    axes : tuple of numpy.ndarray
        One read-only 1-D float64 array of values per key (parameter units).
    specs : tuple of str
        How each axis was given: ``"start:stop:num"`` or ``"values[n]"``.
    """

    keys: tuple
    axes: tuple
    specs: tuple

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def spec_dict(self) -> dict[str, str]:
        """``{key: spec}`` in dimension order (what the dataset's ``grid`` attribute records)."""
        return dict(zip(self.keys, self.specs))

    def spec_text(self) -> str:
        """The grid as one line, e.g. ``russia.finance=0:20:41 us.secondary_sanctions=0:1:21``."""
        return " ".join(f"{k}={s}" for k, s in zip(self.keys, self.specs))

    def fingerprint(self) -> str:
        """SHA-256 of the keys and the exact axis values (identifies the grid for ``--resume``)."""
        h = hashlib.sha256()
        for k, a in zip(self.keys, self.axes):
            h.update(k.encode() + b"\0")
            h.update(np.ascontiguousarray(a, dtype="<f8").tobytes() + b"\0")
        return h.hexdigest()

    def to_json(self) -> str:
        return json.dumps(self.spec_dict(), separators=(",", ":"))


def _bad(msg: str) -> ScenarioError:
    return ScenarioError(f"{COMMAND_LINE}: --grid {msg}")


def _check_key(key: str) -> None:
    if key not in _params.BY_KEY:
        hint = _params.closest(key)
        raise _bad(f"{key!r}: unknown parameter" + (f" (did you mean {hint!r}?)" if hint else "")
                   + "; `batna parameters` lists them")


def _number(key: str, text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise _bad(f"{key}: {what} {text!r} is not a number; expected START:STOP:NUM, "
                   f"e.g. {key}=0:1:11") from None
    return v


def parse_axis(key: str, spec) -> tuple[np.ndarray, str]:
    """Validate one axis; return ``(values, spec_text)``.

    Parameters
    ----------
    key : str
        Parameter key.
    spec : str or array_like
        ``"start:stop:num"`` or a non-empty 1-D array of values.

    Raises
    ------
    ScenarioError
        Unknown key, malformed spec, ``num < 1``, or a value outside the
        parameter's valid range.
    """
    _check_key(key)
    p = _params.get(key)
    if isinstance(spec, str):
        parts = spec.split(":")
        if len(parts) != 3:
            raise _bad(f"{key}={spec}: malformed; expected START:STOP:NUM, e.g. {key}=0:1:11 "
                       "(NUM points from START to STOP inclusive)")
        start = _number(key, parts[0].strip(), "START")
        stop = _number(key, parts[1].strip(), "STOP")
        try:
            num = int(parts[2].strip())
        except ValueError:
            raise _bad(f"{key}={spec}: NUM {parts[2]!r} is not an integer") from None
        if num < 1:
            raise _bad(f"{key}={spec}: NUM = {num} must be at least 1")
        for v, what in ((start, "START"), (stop, "STOP")):
            if not p.contains(v):
                raise _bad(f"{key}={spec}: {what} = {v:g} is out of range; allowed range "
                           f"{p.range_text} ({p.unit})")
        values = np.linspace(start, stop, num)
        text = f"{parts[0].strip()}:{parts[1].strip()}:{num}"
    else:
        values = np.array(spec, dtype=np.float64)
        if values.ndim != 1 or values.size < 1:
            raise _bad(f"{key}: values must be a non-empty 1-D array (got shape {values.shape})")
        text = f"values[{values.size}]"
    for v in values:
        if not p.contains(float(v)):
            raise _bad(f"{key}: value {float(v)!r} is out of range; allowed range {p.range_text} ({p.unit})")
    values = np.ascontiguousarray(values, dtype=np.float64)
    values.setflags(write=False)
    return values, text


def parse_grid(grid: Mapping[str, object] | Iterable[tuple[str, object]],
               overrides: Mapping[str, float] | None = None) -> Grid:
    """Validate a whole grid.

    Parameters
    ----------
    grid : mapping or iterable of (key, spec) pairs
        Each spec is ``"start:stop:num"`` or a 1-D array.  Pairs allow the
        duplicate check of the command line (``--grid`` given twice).
    overrides : mapping, optional
        Values fixed with ``--set``; a key may not be both fixed and swept.

    Returns
    -------
    Grid
    """
    pairs = list(grid.items()) if isinstance(grid, Mapping) else list(grid)
    if not pairs:
        raise _bad("nothing to sweep: give at least one --grid KEY=START:STOP:NUM")
    keys, axes, specs = [], [], []
    for key, spec in pairs:
        if key in keys:
            raise _bad(f"{key}: swept twice; give each parameter one --grid")
        values, text = parse_axis(key, spec)
        if overrides and key in overrides:
            raise _bad(f"{key}: also fixed with --set {key}={overrides[key]:g}; "
                       "a parameter is either swept or set, not both")
        keys.append(key)
        axes.append(values)
        specs.append(text)
    return Grid(tuple(keys), tuple(axes), tuple(specs))


def parse_grid_option(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Split command-line ``--grid KEY=SPEC`` texts into ``(key, spec)`` pairs."""
    out = []
    for t in texts:
        if "=" not in t:
            raise _bad(f"{t!r}: must look like KEY=START:STOP:NUM, e.g. --grid russia.finance=0:20:41")
        k, s = t.split("=", 1)
        out.append((k.strip(), s.strip()))
    return out
