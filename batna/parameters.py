"""Every parameter of the model, defined once.

Each :class:`Parameter` carries its key (``actor.name``), symbol, unit, valid
range, default and a one-line meaning.  Validation (:mod:`batna.scenario`), the
parameter reference in ``docs/`` and ``batna parameters`` are all generated from
:data:`PARAMETERS`; nothing else in the package restates a range or a default.

The list follows section 2 of the reference formulation (``MODEL.md``), plus
the mirror-image engagement-game terms it asks for (``opposition.delay_gain``
and ``government.cohesion_loss``), whose defaults (0) keep them inactive.

Units
-----
Utilities are in *units of full control* (each side values holding all
political control at 1).  Money is in USD billion per year, hazards in 1/yr,
horizons in years.  Everything else is a share or probability in [0, 1].
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

__all__ = [
    "Parameter",
    "PARAMETERS",
    "BY_KEY",
    "ACTORS",
    "SPONSOR_ACTORS",
    "defaults",
    "get",
    "closest",
    "sponsor_keys",
    "check_value",
]

#: The actor tables a scenario may contain, in display order.
ACTORS = ("us", "russia", "china", "cuba", "mediator", "government", "opposition", "bargaining")
#: Actors whose parameters are "sponsor parameters" (thresholds are reported for these).
SPONSOR_ACTORS = ("us", "russia", "china", "cuba", "mediator")


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    key : str
        ``"actor.name"``, the name used in scenario files and ``--set``.
    symbol : str
        Symbol in the model documentation (plain text).
    unit : str
        Unit of the value.
    low, high : float
        Bounds of the valid range.
    default : float
        Value used when no scenario sets it.
    meaning : str
        One-line meaning.
    low_open, high_open : bool
        Whether the bound itself is excluded.
    """

    key: str
    symbol: str
    unit: str
    low: float
    high: float
    default: float
    meaning: str
    low_open: bool = False
    high_open: bool = False

    @property
    def actor(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def is_sponsor(self) -> bool:
        return self.actor in SPONSOR_ACTORS

    @property
    def range_text(self) -> str:
        """The valid range in interval notation, e.g. ``(0, 1]``."""
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"{lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def contains(self, value: float) -> bool:
        """True when ``value`` is finite and inside the valid range."""
        if not math.isfinite(value):
            return False
        if value < self.low or (self.low_open and value == self.low):
            return False
        if value > self.high or (self.high_open and value == self.high):
            return False
        return True

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "symbol": self.symbol,
            "unit": self.unit,
            "range": self.range_text,
            "low": self.low,
            "high": self.high,
            "default": self.default,
            "meaning": self.meaning,
        }


def _fmt(x: float) -> str:
    return f"{x:g}"


_SHARE = "share"
_UTIL = "full-control units"

PARAMETERS: tuple[Parameter, ...] = (
    # --- United States -------------------------------------------------------
    Parameter("us.sanctions", "s", _SHARE, 0, 1, 0.0,
              "Intensity of primary sanctions: share of external revenue cut off."),
    Parameter("us.secondary_sanctions", "sigma", _SHARE, 0, 1, 0.0,
              "Share of sanctions-evasion channels that secondary sanctions close."),
    Parameter("us.relief", "r", _SHARE, 0, 1, 0.0,
              "Share of sanctions lifted when an agreement the US endorses is signed."),
    Parameter("us.relief_threshold", "x_US", "transition depth", 0, 1, 0.0,
              "Minimum transition depth the US endorses (its red line)."),
    Parameter("us.escalation_credibility", "eps", "probability", 0, 1, 0.0,
              "Opposition's belief that the US escalates if talks fail."),
    Parameter("us.escalation_effect", "psi", "probability", 0, 1, 0.0,
              "Chance that US escalation topples the regime."),
    Parameter("us.opposition_support", "u", _SHARE, 0, 1, 0.0,
              "Recognition, funds and asset access: share of the opposition's conflict cost covered."),
    # --- Russia, China ---------------------------------------------------------
    Parameter("russia.finance", "F_R", "USD bn/yr", 0, 50, 0.0,
              "Russian credit and investment available to the government."),
    Parameter("russia.evasion", "e_R", _SHARE, 0, 1, 0.0,
              "Share of sanctioned oil trade Russia can market (e.g. via Rosneft trading)."),
    Parameter("china.finance", "F_C", "USD bn/yr", 0, 50, 0.0,
              "Chinese credit and investment available to the government."),
    Parameter("china.evasion", "e_C", _SHARE, 0, 1, 0.0,
              "Share of sanctioned oil trade China can absorb (e.g. indirect purchases)."),
    # --- Cuba ------------------------------------------------------------------
    Parameter("cuba.security", "k", _SHARE, 0, 1, 0.0,
              "Share of military-defection risk neutralised by Cuban intelligence support."),
    # --- Mediator --------------------------------------------------------------
    Parameter("mediator.enforcement", "q", "probability", 0, 1, 1.0,
              "Probability a signed agreement is implemented (monitoring, guarantees).",
              low_open=True),
    # --- Government ------------------------------------------------------------
    Parameter("government.financing_need", "R", "USD bn/yr", 0, 200, 20.0,
              "External financing the government needs per year.", low_open=True),
    Parameter("government.base_hazard", "h0", "1/yr", 0, 5, 0.5,
              "Base hazard of regime breakdown at full pressure."),
    Parameter("government.mobilisation", "mu", _SHARE, 0, 1, 0.0,
              "Domestic pressure: opposition mobilisation and protest."),
    Parameter("government.horizon", "T", "yr", 0, 20, 2.0,
              "Horizon over which the conflict lottery is resolved.", low_open=True),
    Parameter("government.conflict_cost", "c_G", _UTIL, 0, 1, 0.0,
              "Government's cost of continued conflict."),
    Parameter("government.sanctions_pain", "kappa_G", _UTIL, 0, 1, 0.0,
              "Government's loss at full sanctions bite."),
    Parameter("government.fall_penalty", "phi_G", _UTIL, 0, 5, 0.0,
              "Government's loss if toppled (prosecution, exile), beyond losing control."),
    Parameter("government.exit_guarantee", "a_G", _UTIL, 0, 1, 0.0,
              "Value to the government of amnesty and exit guarantees at full transition (x = 1)."),
    Parameter("government.core_limit", "xbar_G", "transition depth", 0, 1, 1.0,
              "Deepest transition the inner circle tolerates."),
    Parameter("government.delay_gain", "lambda_G", _UTIL, 0, 1, 0.0,
              "Government's gain from stalling while the opposition engages."),
    Parameter("government.cohesion_loss", "theta_G", _UTIL, 0, 1, 0.0,
              "Government's loss from engaging while the opposition stalls (mirror term; 0 = inactive)."),
    Parameter("government.exit_cost", "chi_G", _UTIL, 0, 1, 0.0,
              "Government's audience cost of walking out while the opposition engages."),
    Parameter("government.discount", "delta_G", "per round", 0, 1, 0.9,
              "Government's discount factor between bargaining rounds (patience).",
              high_open=True),
    # --- Opposition ------------------------------------------------------------
    Parameter("opposition.conflict_cost", "c_O", _UTIL, 0, 1, 0.0,
              "Opposition's cost of continued conflict before US support."),
    Parameter("opposition.optimism", "omega", _SHARE, 0, 1, 0.0,
              "Share of the regime's foreign support the opposition discounts (0: sees it as it is)."),
    Parameter("opposition.hardliner_floor", "x_O", "transition depth", 0, 1, 0.0,
              "Shallowest transition the hardliners accept without splitting."),
    Parameter("opposition.split_cost", "s_O", _UTIL, 0, 1, 0.0,
              "Opposition's loss from signing below the hardliner floor."),
    Parameter("opposition.endorsement_loss", "l_O", _UTIL, 0, 1, 0.0,
              "Opposition's loss from signing below the US red line."),
    Parameter("opposition.demobilisation_cost", "d_O", _UTIL, 0, 1, 0.0,
              "Opposition's loss if a signed deal is not implemented."),
    Parameter("opposition.cohesion_loss", "theta_O", _UTIL, 0, 1, 0.0,
              "Opposition's loss from engaging while the government stalls."),
    Parameter("opposition.delay_gain", "lambda_O", _UTIL, 0, 1, 0.0,
              "Opposition's gain from stalling while the government engages (mirror term; 0 = inactive)."),
    Parameter("opposition.exit_cost", "chi_O", _UTIL, 0, 1, 0.0,
              "Opposition's audience cost of walking out while the government engages."),
    Parameter("opposition.discount", "delta_O", "per round", 0, 1, 0.9,
              "Opposition's discount factor between bargaining rounds (patience).",
              high_open=True),
    # --- Bargaining ------------------------------------------------------------
    Parameter("bargaining.power", "alpha", "weight", 0, 1, 0.5,
              "Government's weight in the asymmetric Nash bargaining solution."),
)

BY_KEY: dict[str, Parameter] = {p.key: p for p in PARAMETERS}


def get(key: str) -> Parameter:
    """Return the parameter named ``key`` (``KeyError`` if unknown)."""
    return BY_KEY[key]


def defaults() -> dict[str, float]:
    """Default value of every parameter, keyed ``actor.name``."""
    return {p.key: p.default for p in PARAMETERS}


def sponsor_keys() -> tuple[str, ...]:
    """Keys of the sponsor parameters (US, Russia, China, Cuba, mediator)."""
    return tuple(p.key for p in PARAMETERS if p.is_sponsor)


def closest(key: str, candidates=None) -> str | None:
    """The valid name closest to a misspelt ``key``, or None if nothing is close."""
    pool = list(candidates) if candidates is not None else list(BY_KEY)
    hits = difflib.get_close_matches(key, pool, n=1, cutoff=0.6)
    return hits[0] if hits else None


def check_value(key: str, value) -> str | None:
    """Return a description of what is wrong with ``value`` for ``key``, or None.

    Booleans and non-numbers are wrong types; NaN, infinities and values outside
    the parameter's range are out of range.  Nothing is clamped.
    """
    p = BY_KEY[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return (f"{key} = {value!r} has type {type(value).__name__}; expected a number "
                f"in {p.range_text} ({p.unit})")
    v = float(value)
    if not math.isfinite(v):
        return f"{key} = {value!r} is not a finite number; allowed range {p.range_text} ({p.unit})"
    if not p.contains(v):
        return f"{key} = {value!r} is out of range; allowed range {p.range_text} ({p.unit})"
    return None
