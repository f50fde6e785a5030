"""The ``[uncertainty]`` table: probability distributions for parameters.

A scenario may give any parameter a distribution instead of (more precisely:
in addition to) its point value.  Monte Carlo (:mod:`batna.montecarlo`) and
sensitivity analysis (:mod:`batna.sensitivity`) draw from these; ``batna
analyse`` ignores them and uses the point values.

Syntax
------
One sub-table per parameter, keyed by the quoted parameter key::

    [uncertainty."russia.finance"]
    dist = "triangular"
    low = 0.5
    mode = 2.0
    high = 4.0                  # USD bn/yr

    [uncertainty."cuba.security"]
    dist = "beta"
    alpha = 4
    beta = 3
    low = 0.3                   # optional: beta scaled to [low, high]
    high = 0.9

    [uncertainty."us.relief"]
    dist = "choice"
    values = [0.0, 0.5, 1.0]
    probabilities = [0.25, 0.5, 0.25]

(``[uncertainty.russia.finance]`` without quotes, which TOML reads as nested
tables, is accepted too.)  The distributions and their keys:

============  =====================================  =================================
``dist``      required keys                          optional keys (default)
============  =====================================  =================================
uniform       ``low``, ``high``                      -
triangular    ``low``, ``mode``, ``high``            -
normal        ``mean``, ``sd``                       ``low``, ``high`` (valid range)
beta          ``alpha``, ``beta``                    ``low``, ``high`` (valid range)
choice        ``values``, ``probabilities``          -
============  =====================================  =================================

``normal`` is the normal distribution truncated to [low, high]; ``beta`` is the
Beta(alpha, beta) distribution scaled from [0, 1] to [low, high].  Every
distribution's support (``low`` and ``high``, or every ``values`` entry) must
lie inside the parameter's valid range: nothing is clamped.  A bound that the
valid range excludes (``mediator.enforcement`` is in (0, 1]) cannot be a
support end, so ``normal`` and ``beta`` on such a parameter need explicit
bounds.

Validation
----------
:func:`from_scenario` checks every entry and raises one
:class:`~batna.errors.ScenarioError` listing every problem, each naming the
file, the key, the value and the allowed range: unknown parameters,
distribution names and keys (with the closest valid name), missing keys,
wrong types, NaN and infinities, supports outside the valid range,
``low >= high``, ``mode`` outside [low, high], ``sd``/``alpha``/``beta`` <= 0,
a ``normal`` mean outside its truncation bounds, negative probabilities and
probabilities that do not sum to 1 (within 1e-9).

Sampling
--------
Every distribution is sampled by its inverse distribution function
(:meth:`Distribution.ppf`) applied to uniform numbers in [0, 1).  One
uniform per parameter per draw makes Monte Carlo and the Sobol/Morris designs
(which live on the unit hypercube) use the same transformation.
"""

from __future__ import annotations

import abc
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from . import parameters as _params
from .errors import ScenarioError

__all__ = [
    "Distribution",
    "Uniform",
    "Triangular",
    "TruncatedNormal",
    "ScaledBeta",
    "Choice",
    "DISTRIBUTIONS",
    "parse_entry",
    "parse_table",
    "from_scenario",
    "default_uniform",
    "OPEN_BOUND_INSET",
]

#: Relative inset applied to an open bound by :func:`default_uniform` (share of the range width).
OPEN_BOUND_INSET = 1e-3


def _within(x, low, high):
    """Guard against floating-point rounding only: ``low + (high - low) * 1`` can differ
    from ``high`` by one ulp.  Values are already in [low, high] mathematically."""
    return np.minimum(np.maximum(x, low), high)


class Distribution(abc.ABC):
    """Base class: a distribution on the real line with an inverse CDF."""

    name = ""

    @abc.abstractmethod
    def ppf(self, u) -> np.ndarray:
        """Inverse distribution function at ``u`` in [0, 1] (array_like)."""

    @property
    @abc.abstractmethod
    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""

    @abc.abstractmethod
    def mean(self) -> float:
        """Expected value."""

    @abc.abstractmethod
    def var(self) -> float:
        """Variance."""

    def sample(self, rng, size) -> np.ndarray:
        """``size`` draws using ``rng`` (a :class:`numpy.random.Generator`)."""
        return self.ppf(rng.random(size))

    def to_dict(self) -> dict:
        return {"dist": self.name, **{k: v for k, v in self.__dict__.items()}}


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [low, high]: mean (low + high)/2, variance (high - low)^2/12."""

    low: float
    high: float
    name = "uniform"

    def ppf(self, u):
        return _within(self.low + (self.high - self.low) * np.asarray(u, dtype=float), self.low, self.high)

    @property
    def support(self):
        return (self.low, self.high)

    def mean(self):
        return 0.5 * (self.low + self.high)

    def var(self):
        return (self.high - self.low) ** 2 / 12.0


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [low, high] with mode ``mode``.

    Mean (a + b + c)/3, variance (a^2 + b^2 + c^2 - ab - ac - bc)/18 with
    a = low, b = high, c = mode; inverse CDF in closed form (e.g. Johnson,
    Kotz and Balakrishnan, *Continuous Univariate Distributions*, vol. 2).
    """

    low: float
    mode: float
    high: float
    name = "triangular"

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        a, c, b = self.low, self.mode, self.high
        w = b - a
        fc = (c - a) / w
        left = a + np.sqrt(u * w * (c - a))
        right = b - np.sqrt((1.0 - u) * w * (b - c))
        return _within(np.where(u < fc, left, right), a, b)

    @property
    def support(self):
        return (self.low, self.high)

    def mean(self):
        return (self.low + self.mode + self.high) / 3.0

    def var(self):
        a, b, c = self.low, self.high, self.mode
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0


@dataclass(frozen=True)
class TruncatedNormal(Distribution):
    """Normal(mean, sd) truncated to [low, high] (:func:`scipy.stats.truncnorm`)."""

    mean_: float
    sd: float
    low: float
    high: float
    name = "normal"

    def _frozen(self):
        a = (self.low - self.mean_) / self.sd
        b = (self.high - self.mean_) / self.sd
        from scipy import stats  # imported on use: scipy.stats costs ~1 s at start-up

        return stats.truncnorm(a, b, loc=self.mean_, scale=self.sd)

    def ppf(self, u):
        return _within(self._frozen().ppf(np.asarray(u, dtype=float)), self.low, self.high)

    @property
    def support(self):
        return (self.low, self.high)

    def mean(self):
        return float(self._frozen().mean())

    def var(self):
        return float(self._frozen().var())

    def to_dict(self):
        return {"dist": self.name, "mean": self.mean_, "sd": self.sd, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ScaledBeta(Distribution):
    """Beta(alpha, beta) scaled from [0, 1] to [low, high].

    Mean low + w alpha/(alpha + beta), variance w^2 alpha beta /
    ((alpha + beta)^2 (alpha + beta + 1)) with w = high - low; inverse CDF by
    :func:`scipy.special.betaincinv`.
    """

    alpha: float
    beta: float
    low: float
    high: float
    name = "beta"

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        from scipy import special

        z = special.betaincinv(self.alpha, self.beta, u)
        # betaincinv returns NaN when u is within a few hundred orders of magnitude of 0 or 1
        # (underflow; found by hypothesis); the quantile there is the support's end to
        # double precision.
        z = np.where(np.isnan(z), np.where(u < 0.5, 0.0, 1.0), z)
        return _within(self.low + (self.high - self.low) * z, self.low, self.high)

    @property
    def support(self):
        return (self.low, self.high)

    def mean(self):
        return self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)

    def var(self):
        a, b, w = self.alpha, self.beta, self.high - self.low
        return w * w * a * b / ((a + b) ** 2 * (a + b + 1.0))


@dataclass(frozen=True)
class Choice(Distribution):
    """A discrete distribution: ``values[i]`` with probability ``probabilities[i]``.

    The inverse CDF returns the first value whose cumulative probability
    exceeds u.
    """

    values: tuple
    probabilities: tuple
    name = "choice"

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        cum = np.cumsum(self.probabilities)
        idx = np.searchsorted(cum, u, side="right")
        idx = np.minimum(idx, len(self.values) - 1)  # u = 1 (Morris grid) and rounding of cum[-1]
        return np.asarray(self.values, dtype=float)[idx]

    @property
    def support(self):
        return (min(self.values), max(self.values))

    def mean(self):
        return float(np.dot(self.values, self.probabilities))

    def var(self):
        v = np.asarray(self.values, dtype=float)
        p = np.asarray(self.probabilities, dtype=float)
        m = float(v @ p)
        return float(((v - m) ** 2) @ p)

    def to_dict(self):
        return {"dist": self.name, "values": list(self.values), "probabilities": list(self.probabilities)}


#: dist name -> (required keys, optional keys)
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "triangular": (("low", "mode", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "beta": (("alpha", "beta"), ("low", "high")),
    "choice": (("values", "probabilities"), ()),
}
_PROB_TOL = 1e-9


def _hint(word: str, pool) -> str:
    h = _params.closest(word, pool)
    return f" (did you mean {h!r}?)" if h else ""


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def parse_entry(key: str, entry, label: str, errors: list[str]) -> Distribution | None:
    """Validate one ``[uncertainty."key"]`` table; return its distribution or None.

    Parameters
    ----------
    key : str
        Parameter key (``actor.name``).
    entry : mapping
        The table's contents.
    label : str
        File name, for messages.
    errors : list of str
        Problems found are appended here.
    """
    where = f"{label}: uncertainty.{key}"
    if key not in _params.BY_KEY:
        errors.append(f"{where}: unknown parameter{_hint(key, _params.BY_KEY)}; "
                      "`batna parameters` lists them")
        return None
    p = _params.get(key)
    rng_text = f"valid range of {key} is {p.range_text} ({p.unit})"
    if not isinstance(entry, Mapping):
        errors.append(f"{where} = {entry!r} must be a table with a 'dist' key, "
                      f"e.g. {{ dist = \"uniform\", low = ..., high = ... }}")
        return None
    n0 = len(errors)
    dist = entry.get("dist")
    if dist is None:
        errors.append(f"{where}: missing 'dist'; allowed: {', '.join(DISTRIBUTIONS)}")
        return None
    if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
        errors.append(f"{where}: dist = {dist!r} is not a known distribution"
                      f"{_hint(str(dist), DISTRIBUTIONS)}; allowed: {', '.join(DISTRIBUTIONS)}")
        return None
    required, optional = DISTRIBUTIONS[dist]
    allowed = ("dist",) + required + optional
    for k in entry:
        if k not in allowed:
            errors.append(f"{where}: unknown key {k!r} for dist = {dist!r}{_hint(k, allowed)}; "
                          f"allowed: {', '.join(allowed)}")
    for k in required:
        if k not in entry:
            errors.append(f"{where}: dist = {dist!r} needs {k!r} (required: {', '.join(required)})")
    if len(errors) > n0:
        return None

    if dist == "choice":
        return _parse_choice(entry, where, p, rng_text, errors)

    vals: dict[str, float] = {}
    for k in required + optional:
        if k not in entry:
            continue
        v = entry[k]
        if not _number(v):
            errors.append(f"{where}: {k} = {v!r} has type {type(v).__name__}; expected a number")
        elif not math.isfinite(float(v)):
            errors.append(f"{where}: {k} = {v!r} is not a finite number")
        else:
            vals[k] = float(v)
    if len(errors) > n0:
        return None
    for k in ("low", "high"):
        if k in vals:
            if not p.contains(vals[k]):
                errors.append(f"{where}: {k} = {entry[k]!r} is outside the parameter's valid range; "
                              f"{rng_text}; a distribution's support must lie inside it")
        elif k in optional:
            bound = p.low if k == "low" else p.high
            is_open = p.low_open if k == "low" else p.high_open
            if is_open:
                errors.append(f"{where}: {key}'s valid range {p.range_text} excludes {bound:g}, so "
                              f"dist = {dist!r} needs an explicit {k} inside it")
            else:
                vals[k] = float(bound)
    if len(errors) > n0:
        return None
    lo, hi = vals["low"], vals["high"]
    if not lo < hi:
        errors.append(f"{where}: low = {lo:g} must be below high = {hi:g} "
                      "(for a fixed value set the parameter itself)")
        return None
    if dist == "uniform":
        return Uniform(lo, hi)
    if dist == "triangular":
        c = vals["mode"]
        if not lo <= c <= hi:
            errors.append(f"{where}: mode = {entry['mode']!r} is outside [low, high] = [{lo:g}, {hi:g}]")
            return None
        return Triangular(lo, c, hi)
    if dist == "normal":
        if vals["sd"] <= 0:
            errors.append(f"{where}: sd = {entry['sd']!r} must be > 0")
        if not lo <= vals["mean"] <= hi:
            errors.append(f"{where}: mean = {entry['mean']!r} is outside the truncation bounds "
                          f"[low, high] = [{lo:g}, {hi:g}] ({rng_text})")
        if len(errors) > n0:
            return None
        return TruncatedNormal(vals["mean"], vals["sd"], lo, hi)
    # beta
    for k in ("alpha", "beta"):
        if vals[k] <= 0:
            errors.append(f"{where}: {k} = {entry[k]!r} must be > 0")
    if len(errors) > n0:
        return None
    return ScaledBeta(vals["alpha"], vals["beta"], lo, hi)


def _parse_choice(entry, where, p, rng_text, errors) -> Choice | None:
    n0 = len(errors)
    values, probs = entry["values"], entry["probabilities"]
    for name, arr in (("values", values), ("probabilities", probs)):
        if not isinstance(arr, list) or not arr:
            errors.append(f"{where}: {name} = {arr!r} must be a non-empty list of numbers")
    if len(errors) > n0:
        return None
    if len(values) != len(probs):
        errors.append(f"{where}: values has {len(values)} entries but probabilities has {len(probs)}")
    for name, arr in (("values", values), ("probabilities", probs)):
        for i, v in enumerate(arr):
            if not _number(v):
                errors.append(f"{where}: {name}[{i}] = {v!r} has type {type(v).__name__}; expected a number")
            elif not math.isfinite(float(v)):
                errors.append(f"{where}: {name}[{i}] = {v!r} is not a finite number")
    if len(errors) > n0:
        return None
    for i, v in enumerate(values):
        if not p.contains(float(v)):
            errors.append(f"{where}: values[{i}] = {v!r} is outside the parameter's valid range; {rng_text}")
    for i, v in enumerate(probs):
        if v < 0:
            errors.append(f"{where}: probabilities[{i}] = {v!r} is negative; probabilities must be in [0, 1]")
    if len(errors) > n0:
        return None
    total = math.fsum(float(v) for v in probs)
    if abs(total - 1.0) > _PROB_TOL:
        errors.append(f"{where}: probabilities = {probs!r} sum to {total!r}; they must sum to 1")
        return None
    return Choice(tuple(float(v) for v in values), tuple(float(v) for v in probs))


def _flatten(table: Mapping) -> dict:
    """Accept both ``[uncertainty."a.b"]`` and ``[uncertainty.a.b]`` (nested) spellings."""
    out = {}
    for k, v in table.items():
        if (k in _params.ACTORS and isinstance(v, Mapping) and "dist" not in v
                and all(isinstance(x, Mapping) for x in v.values())):
            for name, sub in v.items():
                out[f"{k}.{name}"] = sub
        else:
            out[k] = v
    return out


def parse_table(table: Mapping, label: str, errors: list[str] | None = None) -> dict[str, Distribution]:
    """Validate a whole ``[uncertainty]`` table; return ``{key: Distribution}`` in file order.

    Raises
    ------
    ScenarioError
        When ``errors`` is None and anything is wrong (all problems listed).
    """
    own = errors is None
    errors = [] if own else errors
    out = {}
    if not isinstance(table, Mapping):
        errors.append(f"{label}: uncertainty = {table!r} must be a table ([uncertainty])")
        table = {}
    for key, entry in _flatten(table).items():
        d = parse_entry(key, entry, label, errors)
        if d is not None:
            out[key] = d
    if own and errors:
        _raise(errors)
    return out


def _raise(errors):
    head = errors[0] if len(errors) == 1 else f"{len(errors)} problems:\n  " + "\n  ".join(errors)
    raise ScenarioError(head, errors)


def _origin_labels(scenario) -> dict[str, str]:
    """Which file (own file first, then ancestors) last set each uncertainty key."""
    origin: dict[str, str] = {}
    for label in reversed(scenario.files):  # ancestors first, so the file itself wins
        try:
            data = tomllib.loads(Path(label).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        table = data.get("uncertainty")
        if isinstance(table, Mapping):
            for k in _flatten(table):
                origin[k] = label
    return origin


def from_scenario(scenario) -> dict[str, Distribution]:
    """The validated distributions of a :class:`~batna.scenario.Scenario`.

    Parameters pinned on the command line (``scenario.overrides``, i.e.
    ``--set``) keep their fixed value and are dropped from the result.

    Returns
    -------
    dict of str to Distribution
        In the order of :data:`batna.parameters.PARAMETERS`.

    Raises
    ------
    ScenarioError
        Listing every problem, each naming the file that set the entry.
    """
    table = _flatten(scenario.uncertainty or {})
    origin = _origin_labels(scenario) if table else {}
    fallback = scenario.path or (scenario.files[0] if scenario.files else scenario.name)
    errors: list[str] = []
    out = {}
    for key, entry in table.items():
        d = parse_entry(key, entry, origin.get(key, fallback), errors)
        if d is not None:
            out[key] = d
    if errors:
        _raise(errors)
    order = {k: i for i, k in enumerate(_params.BY_KEY)}
    return {k: out[k] for k in sorted(out, key=order.__getitem__) if k not in scenario.overrides}


def default_uniform(keys=None) -> dict[str, Distribution]:
    """Uniform distributions over the valid ranges (default: every sponsor parameter).

    An open bound (``mediator.enforcement`` in (0, 1]) is moved inward by
    :data:`OPEN_BOUND_INSET` times the range width, so no draw (and no Morris
    grid point) lands on an excluded value.
    """
    keys = _params.sponsor_keys() if keys is None else keys
    out = {}
    for k in keys:
        p = _params.get(k)
        w = p.high - p.low
        lo = p.low + OPEN_BOUND_INSET * w if p.low_open else p.low
        hi = p.high - OPEN_BOUND_INSET * w if p.high_open else p.high
        out[k] = Uniform(float(lo), float(hi))
    return out
