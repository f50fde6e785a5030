"""Shared hypothesis strategies for random bimatrix games."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

__all__ = ["shapes", "float_games", "integer_games", "games", "rounded_float_games"]

#: Payoff floats in [-10, 10] (no NaN or infinity).
payoff_floats = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def shapes(draw, min_size: int = 1, max_size: int = 4) -> tuple[int, int]:
    """A game shape ``(m, n)`` with both sizes in ``[min_size, max_size]``."""
    m = draw(st.integers(min_size, max_size))
    n = draw(st.integers(min_size, max_size))
    return m, n


@st.composite
def _games(draw, elements, min_size: int, max_size: int) -> tuple[np.ndarray, np.ndarray]:
    m, n = draw(shapes(min_size, max_size))
    A = np.array(draw(st.lists(elements, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    B = np.array(draw(st.lists(elements, min_size=m * n, max_size=m * n)), dtype=float).reshape(m, n)
    return A, B


def float_games(min_size: int = 1, max_size: int = 4):
    """Games ``(A, B)`` with float payoffs in [-10, 10]."""
    return _games(payoff_floats, min_size, max_size)


def rounded_float_games(min_size: int = 1, max_size: int = 4):
    """Float games with payoffs rounded to 3 decimals: ties are exact or far apart."""
    return _games(payoff_floats.map(lambda v: round(v, 3)), min_size, max_size)


def integer_games(min_size: int = 1, max_size: int = 4, low: int = -3, high: int = 3):
    """Games with small integer payoffs (often degenerate)."""
    return _games(st.integers(low, high), min_size, max_size)


def games(min_size: int = 1, max_size: int = 4):
    """Float or integer-valued games."""
    return st.one_of(float_games(min_size, max_size), integer_games(min_size, max_size))


# --------------------------------------------------------------------------- model parameters


def parameter_value(key: str):
    """A valid value of parameter ``key``: its bounds (when closed), round values, or any float inside."""
    from batna.parameters import get

    p = get(key)
    inner = st.floats(min_value=p.low, max_value=p.high, exclude_min=p.low_open, exclude_max=p.high_open,
                      allow_nan=False, allow_infinity=False)
    edges = [v for v, is_open in ((p.low, p.low_open), (p.high, p.high_open)) if not is_open]
    round_values = [p.low + f * (p.high - p.low) for f in (0.25, 0.5, 0.75)]
    return st.one_of(inner, st.sampled_from(edges + round_values)) if edges else st.one_of(inner, st.sampled_from(round_values))


@st.composite
def parameter_sets(draw, fixed: dict | None = None) -> dict[str, float]:
    """A complete valid parameter set (every key of batna.parameters), optionally with some keys fixed."""
    from batna.parameters import PARAMETERS

    fixed = fixed or {}
    return {p.key: fixed[p.key] if p.key in fixed else draw(parameter_value(p.key)) for p in PARAMETERS}


@st.composite
def ordered_values(draw, key: str) -> tuple[float, float]:
    """Two valid values ``v1 <= v2`` of parameter ``key``."""
    a, b = draw(parameter_value(key)), draw(parameter_value(key))
    return (a, b) if a <= b else (b, a)
