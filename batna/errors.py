"""Exceptions raised by batna.

Every error a user can cause with bad input is a :class:`ScenarioError` (or a
subclass); the command-line interface prints its message, without a traceback,
and exits with status 2.
"""

from __future__ import annotations

__all__ = ["BatnaError", "ScenarioError", "NoIndividuallyRationalPoint"]


class BatnaError(Exception):
    """Base class of every error batna raises on purpose."""


class ScenarioError(BatnaError, ValueError):
    """A scenario file, parameter value or override is invalid.

    Parameters
    ----------
    message : str
        What is wrong, naming the file, the key, the value and the allowed range.
    errors : list of str, optional
        Every individual problem found (``batna validate`` reports them all).
    """

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = list(errors) if errors else [message]


class NoIndividuallyRationalPoint(BatnaError, ValueError):
    """No point of a bargaining frontier is at least as good as the disagreement point for both sides."""
