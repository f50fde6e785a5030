"""The default model: conflict lottery, BATNAs, agreement utilities and the ZOPA.

One implementation, written over numpy arrays: every parameter may be a scalar
or an array, arrays broadcast against each other, and a single scenario is the
one-point case.  Equations follow sections 3 and 4 of the reference
formulation (``MODEL.md``; derivations and citations in ``docs/explanation/model.md``).

Conflict lottery (no agreement)
-------------------------------
.. math::

    e   &= [1 - (1-e_R)(1-e_C)](1-\\sigma)              \\quad\\text{(evasion)}\\\\
    f   &= \\min(1, (F_R+F_C)/R)                         \\quad\\text{(finance offset)}\\\\
    b   &= s(1-e)(1-f)                                   \\quad\\text{(sanctions bite)}\\\\
    h   &= h_0(\\mu + b)(1-k),\\qquad p = 1-e^{-hT}\\\\
    \\hat p &= p\\text{ recomputed with } e(1-\\omega), f(1-\\omega), k(1-\\omega)\\\\
    p_O &= \\hat p + (1-\\hat p)\\,\\varepsilon\\psi\\\\
    B_G &= (1-p) - p\\varphi_G - c_G - \\kappa_G b,\\qquad B_O = p_O - c_O(1-u)

Agreements
----------
An agreement is a transition depth x in [0, x̄_G].  With indicators of the US
red line and the hardliner floor,

.. math::

    U_G(x) &= 1 - (1-a_G)x - \\kappa_G b\\,(1 - r[x \\ge x_{US}])\\\\
    U_O(x) &= x - l_O[x < x_{US}] - s_O[x < x_O]

and the ZOPA is {x : U_G(x) >= B_G, U_O(x) >= P_O} with the opposition's
*price* P_O = B_O + d_O(1-q)/q (signing is a gamble on implementation).  The
margin is m = max_x min(U_G - B_G, U_O - P_O); m >= 0 exactly when the ZOPA is
non-empty.

How it is computed
------------------
The breakpoints 0, x_US, x_O, x̄_G and 1 cut [0, 1] into four closed *pieces*
on each of which both utilities are linear (indicators are evaluated at the
piece's midpoint; a zero-length piece is evaluated at its point).  Every point
of [0, x̄_G] lies inside or at the left end of some piece, where the piece's
linear form is exact; at a right end the form can only under-state both
utilities.  So the union over pieces is the ZOPA exactly, and the margin is the
maximum over pieces of a concave piecewise-linear function, solved in closed
form.  All of this is a fixed number of array operations: no loop over points.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Mapping

import numpy as np

from . import parameters as _params

__all__ = [
    "BINDING",
    "Pieces",
    "ModelResult",
    "evaluate",
    "margin",
    "conflict_lottery",
    "utilities",
    "broadcast_parameters",
]

#: Names of the binding constraint codes returned in :attr:`ModelResult.binding`.
BINDING = (
    "none",
    "government BATNA",
    "opposition BATNA",
    "US red line",
    "hardliner floor",
    "inner-circle limit",
    "implementation risk",
)
N_PIECES = 4


def broadcast_parameters(values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Fill defaults for missing keys and broadcast every value to one shape.

    Parameters
    ----------
    values : mapping of str to float or array_like
        Parameter values keyed ``actor.name``; missing keys take their default.

    Returns
    -------
    dict of str to numpy.ndarray
        Every parameter of :data:`batna.parameters.PARAMETERS`, as float64
        arrays of one common (broadcast) shape.
    """
    unknown = set(values) - set(_params.BY_KEY)
    if unknown:
        raise KeyError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    full = _params.defaults()
    full.update(values)
    arrays = np.broadcast_arrays(*(np.asarray(full[k], dtype=np.float64) for k in _params.BY_KEY))
    return {k: np.array(a) for k, a in zip(_params.BY_KEY, arrays)}


def _max_last(a) -> np.ndarray:
    """``a.max(axis=-1)`` for the short piece axis, as element-wise ``np.maximum`` in index order.

    Same values, bit for bit (maximum is exact and NaN propagates either way),
    but about 3x faster than a reduction over a trailing axis of length 4.
    """
    a = np.asarray(a)
    out = a[..., 0]
    for j in range(1, a.shape[-1]):
        out = np.maximum(out, a[..., j])
    return out


def _hazard_probability(h0, mu, bite, k, T):
    hazard = h0 * (mu + bite) * (1.0 - k)
    return hazard, -np.expm1(-hazard * T)


def conflict_lottery(P: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Section 3 of MODEL.md: evasion, finance offset, bite, hazard, p, p_O, BATNAs.

    Parameters
    ----------
    P : mapping
        Broadcast parameter arrays (see :func:`broadcast_parameters`).

    Returns
    -------
    dict of numpy.ndarray
        ``evasion`` e, ``finance_offset`` f, ``bite`` b, ``hazard`` h (1/yr),
        ``p`` (objective breakdown probability within the horizon), ``p_hat``
        (the opposition's view of it), ``p_O`` (with US escalation),
        ``batna_G``, ``batna_O`` (perceived; full-control units) and
        ``batna_O_objective`` (the opposition's BATNA with optimism omega = 0).
    """
    s, sigma = P["us.sanctions"], P["us.secondary_sanctions"]
    e_R, e_C = P["russia.evasion"], P["china.evasion"]
    F = P["russia.finance"] + P["china.finance"]
    R = P["government.financing_need"]
    k, omega = P["cuba.security"], P["opposition.optimism"]
    h0, mu, T = P["government.base_hazard"], P["government.mobilisation"], P["government.horizon"]
    escalation = P["us.escalation_credibility"] * P["us.escalation_effect"]

    evasion = (1.0 - (1.0 - e_R) * (1.0 - e_C)) * (1.0 - sigma)
    with np.errstate(over="ignore"):  # R may be tiny: the offset saturates at 1
        offset = np.minimum(1.0, F / R)
    bite = s * (1.0 - evasion) * (1.0 - offset)
    hazard, p = _hazard_probability(h0, mu, bite, k, T)

    seen = 1.0 - omega
    bite_hat = s * (1.0 - evasion * seen) * (1.0 - offset * seen)
    _, p_hat = _hazard_probability(h0, mu, bite_hat, k * seen, T)
    p_O = p_hat + (1.0 - p_hat) * escalation
    p_O_objective = p + (1.0 - p) * escalation

    support = 1.0 - P["us.opposition_support"]
    batna_G = (1.0 - p) - p * P["government.fall_penalty"] - P["government.conflict_cost"] \
        - P["government.sanctions_pain"] * bite
    batna_O = p_O - P["opposition.conflict_cost"] * support
    batna_O_obj = p_O_objective - P["opposition.conflict_cost"] * support
    return {
        "evasion": evasion, "finance_offset": offset, "bite": bite, "hazard": hazard,
        "p": p, "p_hat": p_hat, "p_O": p_O,
        "batna_G": batna_G, "batna_O": batna_O, "batna_O_objective": batna_O_obj,
    }


def utilities(x, P: Mapping[str, np.ndarray], bite) -> tuple[np.ndarray, np.ndarray]:
    """Agreement utilities U_G(x), U_O(x) of MODEL.md section 4 (full-control units).

    ``x`` broadcasts against the parameter arrays (e.g. ``x[:, None]`` for a
    grid of depths over a sweep).
    """
    x = np.asarray(x, dtype=np.float64)
    relief = x >= P["us.relief_threshold"]
    u_G = 1.0 - (1.0 - P["government.exit_guarantee"]) * x \
        - P["government.sanctions_pain"] * bite * (1.0 - P["us.relief"] * relief)
    u_O = x - P["opposition.endorsement_loss"] * (~relief) \
        - P["opposition.split_cost"] * (x < P["opposition.hardliner_floor"])
    return u_G, u_O


@dataclass(frozen=True)
class Pieces:
    """The linear pieces of the agreement space, stacked on a last axis of length 4.

    On piece j, x runs over [lo_j, hi_j] and the *gains over the BATNAs* are
    ``gain_G = G_j - slope_j * x`` and ``gain_O = x - C_j``.  Infeasible pieces
    (beyond the inner-circle limit) have ``feasible_j`` False.
    """

    lo: np.ndarray
    hi: np.ndarray
    G: np.ndarray
    slope: np.ndarray
    C: np.ndarray
    feasible: np.ndarray

    def crossing(self) -> np.ndarray:
        """Depth maximising min(gain_G, gain_O) on each piece, clipped to it."""
        x = (self.G + self.C) / (1.0 + self.slope)
        return np.clip(x, self.lo, self.hi)

    def gains(self, x) -> tuple[np.ndarray, np.ndarray]:
        return self.G - self.slope * x, x - self.C

    def margin(self) -> np.ndarray:
        """Margin per piece (-inf on infeasible pieces)."""
        gG, gO = self.gains(self.crossing())
        return np.where(self.feasible, np.minimum(gG, gO), -np.inf)

    def zopa(self, piece_margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ZOPA interval [low, high] on each piece (NaN where the piece has none)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            top = np.where(self.slope > 0, self.G / self.slope, np.where(self.G >= 0, np.inf, -np.inf))
        low = np.maximum(self.lo, self.C)
        high = np.minimum(self.hi, top)
        ok = piece_margin >= 0
        # Rounding can invert an interval whose margin is exactly 0: collapse it to the crossing.
        x_star = self.crossing()
        low = np.where(ok & (low > high), x_star, low)
        high = np.where(ok & (low > high), x_star, high)
        return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def _pieces(P, bite, batna_G, price_O, *, x_US=None, x_O=None, xbar=None) -> Pieces:
    x_US = P["us.relief_threshold"] if x_US is None else x_US
    x_O = P["opposition.hardliner_floor"] if x_O is None else x_O
    xbar = P["government.core_limit"] if xbar is None else xbar
    shape = np.broadcast_shapes(np.shape(x_US), np.shape(x_O), np.shape(xbar), np.shape(bite))
    zeros, ones = np.zeros(shape), np.ones(shape)
    bps = np.sort(np.stack(np.broadcast_arrays(zeros, x_US, x_O, xbar, ones), axis=-1), axis=-1)
    lo, hi = bps[..., :-1], bps[..., 1:]
    mid = 0.5 * (lo + hi)
    ex = lambda a: np.asarray(a)[..., None]  # noqa: E731 - align parameters with the piece axis
    relief = mid >= ex(x_US)
    below_floor = mid < ex(x_O)
    pain = ex(P["government.sanctions_pain"] * bite)
    G = 1.0 - pain * (1.0 - ex(P["us.relief"]) * relief) - ex(batna_G)
    slope = np.broadcast_to(1.0 - ex(P["government.exit_guarantee"]), G.shape)
    C = ex(price_O) + ex(P["opposition.endorsement_loss"]) * (~relief) \
        + ex(P["opposition.split_cost"]) * below_floor
    return Pieces(lo=lo, hi=hi, G=G, slope=slope, C=C, feasible=hi <= ex(xbar))


@dataclass(frozen=True)
class ModelResult:
    """Every model quantity, as arrays of the broadcast parameter shape.

    Utilities, BATNAs and margins are in full-control units; probabilities in
    [0, 1]; ``zopa_low``/``zopa_high`` have a trailing axis of length 4 (one
    slot per linear piece, NaN where empty; adjacent slots may touch).
    """

    parameters: dict = field(repr=False)
    evasion: np.ndarray
    finance_offset: np.ndarray
    bite: np.ndarray
    hazard: np.ndarray
    p: np.ndarray
    p_hat: np.ndarray
    p_O: np.ndarray
    batna_G: np.ndarray
    batna_O: np.ndarray
    batna_O_objective: np.ndarray
    price_O: np.ndarray
    margin: np.ndarray
    margin_objective: np.ndarray
    zopa_low: np.ndarray
    zopa_high: np.ndarray
    binding: np.ndarray
    pieces: Pieces = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.margin.shape

    @property
    def zopa_exists(self) -> np.ndarray:
        return self.margin >= 0

    def arrays(self) -> dict[str, np.ndarray]:
        """The array-valued outputs by name (excluding parameters and pieces)."""
        skip = {"parameters", "pieces"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


def _price(P, batna_O):
    q = P["mediator.enforcement"]
    with np.errstate(over="ignore", invalid="ignore"):  # q -> 0: the price tends to +inf
        return batna_O + P["opposition.demobilisation_cost"] * (1.0 - q) / q


def _margin(P, bite, batna_G, price_O, **relax) -> np.ndarray:
    return _max_last(_pieces(P, bite, batna_G, price_O, **relax).margin())


def _binding(P, lot, price_O, pieces, margin) -> np.ndarray:
    """Code (index into :data:`BINDING`) of what closes the ZOPA.

    ``none`` when the ZOPA is open.  Otherwise the structural friction whose
    removal *alone* opens it (US red line x_US -> 0, hardliner floor x_O -> 0,
    inner-circle limit x̄_G -> 1, implementation risk q -> 1), choosing the one
    that leaves the largest margin; if none does, the side whose BATNA must
    fall by less (holding the other side's constraint) to open it.
    """
    bite, bG, bO = lot["bite"], lot["batna_G"], lot["batna_O"]
    ones, zeros = np.ones_like(margin), np.zeros_like(margin)
    relaxed = np.stack([
        _margin(P, bite, bG, price_O, x_US=zeros),
        _margin(P, bite, bG, price_O, x_O=zeros),
        _margin(P, bite, bG, price_O, xbar=ones),
        _margin(P, bite, bG, bO),
    ], axis=-1)
    best = relaxed.argmax(axis=-1)
    structural = np.take_along_axis(relaxed, best[..., None], axis=-1)[..., 0] >= 0

    # Smallest fall of B_G (resp. P_O) that opens the ZOPA, holding the other side.
    with np.errstate(divide="ignore", invalid="ignore"):
        x_O_min = np.maximum(pieces.lo, pieces.C)
        top = np.where(pieces.slope > 0, pieces.G / pieces.slope, np.where(pieces.G >= 0, np.inf, -np.inf))
        x_G_max = np.minimum(pieces.hi, top)
    reach_G = np.where(pieces.feasible & (x_O_min <= pieces.hi), pieces.G - pieces.slope * x_O_min, -np.inf)
    reach_O = np.where(pieces.feasible & (x_G_max >= pieces.lo), x_G_max - pieces.C, -np.inf)
    need_G = -_max_last(reach_G)
    need_O = -_max_last(reach_O)
    side = np.where(need_G <= need_O, 1, 2)

    code = np.where(structural, 3 + best, side)
    return np.where(margin >= 0, 0, code).astype(np.int8)


def margin(values: Mapping[str, object]) -> np.ndarray:
    """Only the margin m (full-control units) at every point: the cheap path for root finding."""
    P = broadcast_parameters(values)
    lot = conflict_lottery(P)
    return _margin(P, lot["bite"], lot["batna_G"], _price(P, lot["batna_O"]))


def evaluate(values: Mapping[str, object]) -> ModelResult:
    """Evaluate the model at every point of a (broadcast) parameter set.

    Parameters
    ----------
    values : mapping of str to float or array_like
        Parameter values keyed ``actor.name`` (see :mod:`batna.parameters`);
        missing keys take their defaults.  Values are assumed valid (the
        scenario layer validates them).

    Returns
    -------
    ModelResult
        All quantities of MODEL.md sections 3-4 at every point.
    """
    P = broadcast_parameters(values)
    lot = conflict_lottery(P)
    price_O = _price(P, lot["batna_O"])
    pieces = _pieces(P, lot["bite"], lot["batna_G"], price_O)
    per_piece = pieces.margin()
    margin = _max_last(per_piece)
    zlow, zhigh = pieces.zopa(per_piece)
    margin_obj = _margin(P, lot["bite"], lot["batna_G"], _price(P, lot["batna_O_objective"]))
    return ModelResult(
        parameters=P,
        price_O=price_O,
        margin=margin,
        margin_objective=margin_obj,
        zopa_low=zlow,
        zopa_high=zhigh,
        binding=_binding(P, lot, price_O, pieces, margin),
        pieces=pieces,
        **lot,
    )
