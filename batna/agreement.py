"""Bargaining solutions inside the model's ZOPA (MODEL.md section 5), vectorised.

The disagreement point is the pair of BATNAs.  On each linear piece of the
agreement space (see :class:`batna.model.Pieces`) the gains over the BATNAs are
linear in the transition depth x, so the closed forms of
:mod:`batna.bargaining` apply piece by piece; the solution is the best piece's
point.  Gains are measured on the agreement utilities U (as the margin is):
since V - B = q (U - P) for both sides' prices P, maximising the Nash product of
V-gains picks the same x as maximising that of U-gains, and the
Kalai-Smorodinsky ratios are unchanged by the common factor q.

- Nash (asymmetric, weight alpha for the government):
  :func:`batna.bargaining.nash_linear` on each piece.
- Kalai-Smorodinsky: ideal gains over the whole ZOPA, then
  :func:`batna.bargaining.kalai_smorodinsky_linear` on each piece.
- Rubinstein: the government proposes first; it receives the share
  sigma = :func:`batna.bargaining.rubinstein` (delta_G, delta_O) of the ZOPA
  interval that holds the Nash point, measured in its own gain (both gains are
  linear on it, so the alternating-offers equilibrium of Rubinstein 1982 holds
  exactly in x).  The BATNAs are the outside options; restricting play to the
  ZOPA, where each side already gets at least its BATNA, is the
  outside-option principle (Binmore, Shaked and Sutton 1989).  As both
  discount factors tend to 1 the point tends to the interval's midpoint, the
  symmetric Nash point when the interval ends are where the gains vanish
  (Binmore, Rubinstein and Wolinsky 1986).

Where the ZOPA is empty every output is NaN.
"""

from __future__ import annotations

import numpy as np

from . import bargaining
from .model import ModelResult

__all__ = ["SOLUTIONS", "solutions"]

SOLUTIONS = ("nash", "kalai_smorodinsky", "rubinstein")


def _on_valid(fn, valid, *args):
    """Apply a closed form only where ``valid``; NaN elsewhere."""
    out = np.full(valid.shape, np.nan)
    if valid.any():
        out[valid] = fn(*(np.broadcast_to(a, valid.shape)[valid] for a in args))
    return out


def _pick(score, x):
    """Per point, the x of the piece with the highest score (first on ties)."""
    score = np.where(np.isnan(score), -np.inf, score)
    j = score.argmax(axis=-1)[..., None]
    return np.take_along_axis(x, j, axis=-1)[..., 0], j


def solutions(res: ModelResult) -> dict[str, np.ndarray]:
    """Nash, Kalai-Smorodinsky and Rubinstein points at every point of a model result.

    Returns
    -------
    dict of str to numpy.ndarray
        For each solution ``s`` in :data:`SOLUTIONS`: ``s.x`` (depth),
        ``s.u_G``, ``s.u_O`` (agreement utilities), ``s.v_G``, ``s.v_O``
        (values of signing, with implementation risk) and ``s.gain_G``,
        ``s.gain_O`` (v minus the side's BATNA).  All in full-control units;
        NaN where there is no ZOPA.
    """
    P, pc = res.parameters, res.pieces
    lo, hi = res.zopa_low, res.zopa_high
    valid = ~np.isnan(lo)
    ex = lambda a: np.asarray(a)[..., None]  # noqa: E731 - align with the piece axis
    alpha = ex(P["bargaining.power"])

    # Nash: closed form per piece, best Nash product across pieces.
    x_n = _on_valid(lambda G, s, C, a, l, h: bargaining.nash_linear((G, s), C, a, l, h),
                    valid, pc.G, pc.slope, pc.C, alpha, lo, hi)
    gG, gO = pc.gains(x_n)
    with np.errstate(invalid="ignore"):
        prod = np.maximum(gG, 0) ** alpha * np.maximum(gO, 0) ** (1 - alpha)
    x_nash, j_nash = _pick(prod, x_n)

    # Kalai-Smorodinsky: ideal gains over the whole ZOPA.
    ideal_G = np.where(valid, pc.G - pc.slope * lo, -np.inf).max(axis=-1)
    ideal_O = np.where(valid, hi - pc.C, -np.inf).max(axis=-1)
    jG, jO = np.maximum(ex(ideal_G), 0), np.maximum(ex(ideal_O), 0)
    x_k = _on_valid(lambda G, s, C, a, b, l, h: bargaining.kalai_smorodinsky_linear((G, s), C, (a, b), l, h),
                    valid, pc.G, pc.slope, pc.C, jG, jO, lo, hi)
    kG, kO = pc.gains(x_k)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.minimum(np.where(jG > 0, kG / jG, np.inf), np.where(jO > 0, kO / jO, np.inf))
    ratio = np.where(np.isinf(ratio) & valid, 1.0, ratio)
    x_ks, _ = _pick(ratio, x_k)

    # Rubinstein: the government proposes first on the Nash point's interval.
    share = bargaining.rubinstein(P["government.discount"], P["opposition.discount"])
    lo_n = np.take_along_axis(lo, j_nash, axis=-1)[..., 0]
    hi_n = np.take_along_axis(hi, j_nash, axis=-1)[..., 0]
    x_rub = hi_n - share * (hi_n - lo_n)

    q = P["mediator.enforcement"]
    out: dict[str, np.ndarray] = {}
    for name, x in zip(SOLUTIONS, (x_nash, x_ks, x_rub)):
        # Evaluate on the piece that produced x so a point on a jump takes that piece's value.
        u_G, u_O = _piece_utilities(res, x, j_nash if name != "kalai_smorodinsky" else None)
        out[f"{name}.x"] = x
        out[f"{name}.u_G"] = u_G
        out[f"{name}.u_O"] = u_O
        out[f"{name}.v_G"] = res.batna_G + q * (u_G - res.batna_G)
        out[f"{name}.v_O"] = res.batna_O + q * (u_O - res.price_O)
        out[f"{name}.gain_G"] = out[f"{name}.v_G"] - res.batna_G
        out[f"{name}.gain_O"] = out[f"{name}.v_O"] - res.batna_O
    return out


def _piece_utilities(res: ModelResult, x, j):
    """U_G, U_O at x, evaluated with the linear form of piece j (or of the best piece containing x)."""
    pc = res.pieces
    if j is None:
        inside = (pc.lo <= x[..., None]) & (x[..., None] <= pc.hi) & pc.feasible
        gG_all, gO_all = pc.gains(x[..., None])
        score = np.where(inside, np.minimum(gG_all, gO_all), -np.inf)
        j = score.argmax(axis=-1)[..., None]
    G = np.take_along_axis(pc.G, j, axis=-1)[..., 0]
    s = np.take_along_axis(pc.slope, j, axis=-1)[..., 0]
    C = np.take_along_axis(pc.C, j, axis=-1)[..., 0]
    gain_G, gain_O = G - s * x, x - C
    return res.batna_G + gain_G, res.price_O + gain_O
