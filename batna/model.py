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

For speed (see ``docs/performance.md``, "Model throughput") parameters are not
broadcast against each other until an output needs it, each piece is a separate
array, the breakpoints are sorted by a min/max network, and the relaxations
behind the binding constraint are evaluated only where the ZOPA is closed.
Every output is bit-identical to the straightforward stacked computation
(:class:`Pieces`), checked by ``benchmarks/check_identical.py``.
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


def lazy_parameters(values: Mapping[str, object]) -> tuple[dict[str, np.ndarray], tuple[int, ...]]:
    """Fill defaults and convert every value to float64, *without* broadcasting.

    Returns
    -------
    P : dict of str to numpy.ndarray
        Every parameter as a float64 array of its own shape (0-d for scalars).
    shape : tuple of int
        The common broadcast shape.
    """
    unknown = set(values) - set(_params.BY_KEY)
    if unknown:
        raise KeyError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    full = _params.defaults()
    full.update(values)
    P = {k: np.asarray(full[k], dtype=np.float64) for k in _params.BY_KEY}
    return P, np.broadcast_shapes(*(v.shape for v in P.values()))


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


@dataclass(frozen=True)
class ModelResult:
    """Every model quantity, as arrays of the broadcast parameter shape.

    Utilities, BATNAs and margins are in full-control units; probabilities in
    [0, 1]; ``parameters`` holds read-only broadcast views; ``zopa_low``/``zopa_high`` have a trailing axis of length 4 (one
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
    _frame: "_Frame" = field(repr=False, compare=False)

    @property
    def pieces(self) -> Pieces:
        """The linear pieces stacked on a trailing axis of length 4 (built on first use)."""
        return self._frame.stacked()

    @property
    def shape(self) -> tuple[int, ...]:
        return self.margin.shape

    @property
    def zopa_exists(self) -> np.ndarray:
        return self.margin >= 0

    def arrays(self) -> dict[str, np.ndarray]:
        """The array-valued outputs by name (excluding parameters and pieces)."""
        skip = {"parameters", "_frame"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}


def _price(P, batna_O):
    q = P["mediator.enforcement"]
    with np.errstate(over="ignore", invalid="ignore"):  # q -> 0: the price tends to +inf
        return batna_O + P["opposition.demobilisation_cost"] * (1.0 - q) / q


def _full(v, shape) -> np.ndarray:
    """``v`` as a fresh array of ``shape`` (``v`` itself if it already has it)."""
    v = np.asarray(v)
    return v if v.shape == shape else np.array(np.broadcast_to(v, shape))


def _sorted3(a, b, c):
    """The three values sorted, element-wise, by a min/max network (exact: no arithmetic)."""
    ab_lo, ab_hi = np.minimum(a, b), np.maximum(a, b)
    return np.minimum(ab_lo, c), np.maximum(ab_lo, np.minimum(ab_hi, c)), np.maximum(ab_hi, c)


def _argmax_first(scores):
    """``np.stack(scores, -1).argmax(-1)`` (first maximum; a NaN counts as the maximum) as element-wise ops.

    Returns the index array (intp).
    """
    best = scores[0]
    idx = np.zeros(np.shape(best), dtype=np.intp)
    nan_best = np.isnan(best)
    for j, s in enumerate(scores[1:], start=1):
        nan_s = np.isnan(s)
        upd = (s > best) | (nan_s & ~nan_best)
        best = np.where(upd, s, best)
        nan_best = nan_best | nan_s
        idx = np.where(upd, j, idx)
    return idx


def _select(arrays, idx):
    """``arrays[idx]`` per point (``idx`` from :func:`_argmax_first`)."""
    out = arrays[0]
    for j, a in enumerate(arrays[1:], start=1):
        out = np.where(idx == j, a, out)
    return out


class _Frame:
    """The four linear pieces as separate arrays (one per piece, lazily broadcast).

    The same quantities as :class:`Pieces` (which stacks them on a trailing
    axis, see :meth:`stacked`), computed with the same floating-point
    operations in the same order, so every value is bit-identical to it; kept
    apart because element-wise operations on separate contiguous arrays are
    several times faster than on a trailing axis of length 4.
    """

    def __init__(self, shape, geometry, G, slope, C):
        self.shape = shape
        self.lo, self.hi, self.mid, self.relief, self.below, self.feasible = geometry
        self.G, self.slope, self.C = G, slope, C
        self.one_plus_slope = 1.0 + slope

    def crossing(self, j):
        x = (self.G[j] + self.C[j]) / self.one_plus_slope
        return np.clip(x, self.lo[j], self.hi[j])

    def gains(self, j, x):
        return self.G[j] - self.slope * x, x - self.C[j]

    def piece_margin(self, j):
        gG, gO = self.gains(j, self.crossing(j))
        return np.where(self.feasible[j], np.minimum(gG, gO), -np.inf)

    def margins(self):
        return [self.piece_margin(j) for j in range(N_PIECES)]

    def stacked(self) -> Pieces:
        full = lambda arrs: np.stack([np.broadcast_to(a, self.shape) for a in arrs], axis=-1)  # noqa: E731
        G = full(self.G)
        return Pieces(lo=full(self.lo), hi=full(self.hi), G=G,
                      slope=np.broadcast_to(np.asarray(self.slope)[..., None], G.shape),
                      C=full(self.C), feasible=full(self.feasible))


def _geometry(x_US, x_O, xbar):
    """Pieces' ends, midpoints and indicators for breakpoints 0, x_US, x_O, x̄_G, 1 (all in [0, 1])."""
    b1, b2, b3 = _sorted3(x_US, x_O, xbar)
    lo, hi = [0.0, b1, b2, b3], [b1, b2, b3, 1.0]
    mid = [0.5 * b1, 0.5 * (b1 + b2), 0.5 * (b2 + b3), 0.5 * (b3 + 1.0)]
    relief = [m >= x_US for m in mid]
    below = [m < x_O for m in mid]
    feasible = [h <= xbar for h in hi]
    return lo, hi, mid, relief, below, feasible


class _Terms:
    """Point-wise terms shared by the ZOPA and all its relaxations.

    On a piece with the US relief (mid >= x_US) the government's gain offset
    is ``G_yes = 1 - kappa_G b (1 - r) - B_G``, otherwise ``G_no = 1 - kappa_G b - B_G``
    (the same floats as ``1 - kappa_G b (1 - r [relief]) - B_G``, since r*1 = r,
    r*0 = 0 and x*1 = x exactly).  The opposition's offset is
    ``(P_O + l_O [no relief]) + s_O [below floor]``.
    """

    def __init__(self, P, bite, batna_G):
        pain = P["government.sanctions_pain"] * bite
        self.G_yes = 1.0 - pain * (1.0 - P["us.relief"]) - batna_G
        self.G_no = 1.0 - pain - batna_G
        self.slope = 1.0 - P["government.exit_guarantee"]
        self.l_O, self.s_O = P["opposition.endorsement_loss"], P["opposition.split_cost"]

    def frame(self, shape, geometry, price_O, split=None) -> _Frame:
        relief = geometry[3]
        G = [np.where(r, self.G_yes, self.G_no) for r in relief]
        return _Frame(shape, geometry, G, self.slope, self.offsets(geometry, price_O, split))

    def offsets(self, geometry, price_O, split=None):
        """C per piece; ``split`` (the products s_O [below floor]) may be passed to reuse them."""
        relief, below = geometry[3], geometry[4]
        with_relief, without = price_O + 0.0, price_O + self.l_O
        split = split if split is not None else [self.s_O * b for b in below]
        return [np.where(r, with_relief, without) + sb for r, sb in zip(relief, split)]


def _max_of(arrays):
    out = arrays[0]
    for a in arrays[1:]:
        out = np.maximum(out, a)
    return out


def _binding_fast(P, lot, price_O, frame: _Frame, margin, terms: _Terms, zlow_raw, zhigh_raw) -> np.ndarray:
    """:func:`_binding` on the piece frame: same codes; relaxations only where the ZOPA is closed."""
    shape = frame.shape
    closed = np.broadcast_to(~(margin >= 0), shape)
    code = np.zeros(shape, dtype=np.int8)
    if not closed.any():
        return code
    sub = None if closed.all() else closed

    def take(a):
        a = np.asarray(a)
        return a if sub is None or a.ndim == 0 else np.broadcast_to(a, shape)[sub]

    Ps = {k: take(P[k]) for k in ("us.relief_threshold", "opposition.hardliner_floor", "government.core_limit",
                                 "government.sanctions_pain", "us.relief", "government.exit_guarantee",
                                 "opposition.endorsement_loss", "opposition.split_cost")}
    bite, bG, bO, price = take(lot["bite"]), take(lot["batna_G"]), take(lot["batna_O"]), take(price_O)
    sshape = shape if sub is None else (int(closed.sum()),)
    t = _Terms(Ps, bite, bG)
    x_US, x_O, xbar = Ps["us.relief_threshold"], Ps["opposition.hardliner_floor"], Ps["government.core_limit"]
    base_geo = _geometry(x_US, x_O, xbar)
    split = [t.s_O * b for b in base_geo[4]]
    relaxed = [
        _max_of(t.frame(sshape, _geometry(0.0, x_O, xbar), price).margins()),
        _max_of(t.frame(sshape, _geometry(x_US, 0.0, xbar), price).margins()),
        _max_of(t.frame(sshape, _geometry(x_US, x_O, 1.0), price).margins()),
        _max_of(t.frame(sshape, base_geo, bO, split).margins()),
    ]
    best = _argmax_first(relaxed)
    structural = np.broadcast_to(_select(relaxed, best), sshape) >= 0

    # Smallest fall of B_G (resp. P_O) that opens the ZOPA, holding the other side.
    lo, hi, feas = frame.lo, frame.hi, frame.feasible
    reach_G, reach_O = [], []
    for j in range(N_PIECES):
        x_O_min, x_G_max = zlow_raw[j], zhigh_raw[j]
        with np.errstate(invalid="ignore"):
            reach_G.append(np.where(feas[j] & (x_O_min <= hi[j]), frame.G[j] - frame.slope * x_O_min, -np.inf))
        reach_O.append(np.where(feas[j] & (x_G_max >= lo[j]), x_G_max - frame.C[j], -np.inf))
    need_G = -_max_of(reach_G)
    need_O = -_max_of(reach_O)
    side = np.broadcast_to(np.where(need_G <= need_O, 1, 2), shape)
    side = side if sub is None else side[sub]
    vals = np.where(structural, 3 + best, side).astype(np.int8)
    if sub is None:
        code[...] = vals
    else:
        code[sub] = vals
    return code


def _core(P, shape):
    """Lottery, price, piece frame, margins and ZOPA per piece on lazily broadcast parameters."""
    lot = conflict_lottery(P)
    price_O = _price(P, lot["batna_O"])
    terms = _Terms(P, lot["bite"], lot["batna_G"])
    geo = _geometry(P["us.relief_threshold"], P["opposition.hardliner_floor"], P["government.core_limit"])
    split = [terms.s_O * b for b in geo[4]]
    frame = terms.frame(shape, geo, price_O, split)
    crossing = [frame.crossing(j) for j in range(N_PIECES)]
    per_piece = []
    for j in range(N_PIECES):
        gG, gO = frame.gains(j, crossing[j])
        per_piece.append(np.where(frame.feasible[j], np.minimum(gG, gO), -np.inf))
    margin = _max_of(per_piece)
    # ZOPA per piece (Pieces.zopa, piece by piece).
    zlow, zhigh, low_raw, high_raw = [], [], [], []
    slope = frame.slope
    for j in range(N_PIECES):
        G = frame.G[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            top = np.where(slope > 0, G / slope, np.where(G >= 0, np.inf, -np.inf))
        low = np.maximum(frame.lo[j], frame.C[j])
        high = np.minimum(frame.hi[j], top)
        low_raw.append(low)
        high_raw.append(high)
        ok = per_piece[j] >= 0
        low = np.where(ok & (low > high), crossing[j], low)
        high = np.where(ok & (low > high), crossing[j], high)
        zlow.append(np.where(ok, low, np.nan))
        zhigh.append(np.where(ok, high, np.nan))
    obj_C = terms.offsets(geo, _price(P, lot["batna_O_objective"]), split)
    margin_obj = _max_of(_Frame(shape, geo, frame.G, frame.slope, obj_C).margins())
    frame.per_piece, frame.crossings = per_piece, crossing
    frame.zlow = [np.broadcast_to(z, shape) for z in zlow]
    frame.zhigh = [np.broadcast_to(z, shape) for z in zhigh]
    frame.zlow_raw, frame.zhigh_raw = low_raw, high_raw
    return lot, price_O, terms, frame, margin, margin_obj


def _result(P, shape) -> ModelResult:
    lot, price_O, terms, frame, margin, margin_obj = _core(P, shape)
    binding = _binding_fast(P, lot, price_O, frame, np.broadcast_to(margin, shape), terms,
                            frame.zlow_raw, frame.zhigh_raw)
    return ModelResult(
        parameters={k: np.broadcast_to(v, shape) for k, v in P.items()},
        price_O=_full(price_O, shape),
        margin=_full(margin, shape),
        margin_objective=_full(margin_obj, shape),
        zopa_low=np.stack(frame.zlow, axis=-1),
        zopa_high=np.stack(frame.zhigh, axis=-1),
        binding=binding,
        _frame=frame,
        **{k: _full(v, shape) for k, v in lot.items()},
    )


def margin(values: Mapping[str, object]) -> np.ndarray:
    """Only the margin m (full-control units) at every point: the cheap path for root finding."""
    P, shape = lazy_parameters(values)
    lot = conflict_lottery(P)
    terms = _Terms(P, lot["bite"], lot["batna_G"])
    geo = _geometry(P["us.relief_threshold"], P["opposition.hardliner_floor"], P["government.core_limit"])
    m = _max_of(terms.frame(shape, geo, _price(P, lot["batna_O"])).margins())
    return _full(m, shape)


def evaluate(values: Mapping[str, object]) -> ModelResult:
    """Evaluate the model at every point of a (broadcast) parameter set.

    Parameters
    ----------
    values : mapping of str to float or array_like
        Parameter values keyed ``actor.name`` (see :mod:`batna.parameters`);
        missing keys take their defaults.  Values are assumed valid (the
        scenario layer validates them; the breakpoints x_US, x_O, x̄_G must be
        in [0, 1]).

    Returns
    -------
    ModelResult
        All quantities of MODEL.md sections 3-4 at every point, each of the
        broadcast shape (``parameters`` are read-only broadcast views).
    """
    P, shape = lazy_parameters(values)
    return _result(P, shape)


def evaluate_lazy(P, shape) -> ModelResult:
    """:func:`evaluate` on parameters already converted by :func:`lazy_parameters`."""
    return _result(P, shape)
