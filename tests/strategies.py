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
