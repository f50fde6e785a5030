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

from . import bargaining, model
from .model import ModelResult

__all__ = ["SOLUTIONS", "solutions"]

SOLUTIONS = ("nash", "kalai_smorodinsky", "rubinstein")


def _pick(scores, xs):
    """Per point, the x of the piece with the highest score (first on ties), and that piece's index."""
    scores = [np.where(np.isnan(sc), -np.inf, sc) for sc in scores]
    j = model._argmax_first(scores)
    return model._select(xs, j), j


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
    P, fr = res.parameters, res._frame
    shape = fr.shape
    lo, hi = fr.zlow, fr.zhigh
    valid = [~np.isnan(z) for z in lo]
    slope = fr.slope

    # Nash: closed form per piece (bargaining.nash_linear, its operations inlined), best Nash product.
    x_n = []
    with np.errstate(invalid="ignore", divide="ignore"):
        al = P["bargaining.power"]
        safe_b = np.where(slope > 0, slope, 1.0)
        for j in range(model.N_PIECES):
            x = np.where(slope > 0, (1.0 - al) * fr.G[j] / safe_b + al * fr.C[j], hi[j])
            x_n.append(np.where(valid[j], np.clip(x, lo[j], hi[j]), np.nan))
    # The Nash products decide only where two or more pieces hold ZOPA intervals (elsewhere the
    # one valid piece wins, as its product is finite and the others' are NaN).  Where they do,
    # the powers are taken on the stacked layout, as before: numpy's power takes another code
    # path (with different last bits) for a scalar exponent.
    scores = [np.where(v, 0.0, -np.inf) for v in valid]
    multi = np.broadcast_to(sum(v.astype(np.int8) for v in valid) >= 2, shape)
    if multi.any():
        sub = lambda a: np.broadcast_to(a, shape)[multi]  # noqa: E731
        alpha = sub(P["bargaining.power"])[:, None]
        gG = np.stack([sub(fr.G[j] - slope * x_n[j]) for j in range(model.N_PIECES)], axis=-1)
        gO = np.stack([sub(x_n[j] - fr.C[j]) for j in range(model.N_PIECES)], axis=-1)
        with np.errstate(invalid="ignore"):
            # Gains are floored at the smallest normal float, not 0: with a weight within
            # ~1e-200 of 0 or 1 the clipped optimum rounds onto the point where that side's
            # gain is 0, and 0**weight = 0 would hide it; tiny**weight keeps the limit (1).
            tiny = np.finfo(float).tiny
            prod = np.maximum(gG, tiny) ** alpha * np.maximum(gO, tiny) ** (1 - alpha)
        prod = np.where(np.isnan(prod), -np.inf, prod)
        # Exact ties of the product (e.g. alpha = 1, or a government gain that does not
        # depend on x) go to the Pareto-better point: the larger sum of gains.
        tied = prod == prod.max(axis=-1, keepdims=True)
        best = np.where(tied, gG + gO, -np.inf).argmax(axis=-1)
        scores = [np.array(np.broadcast_to(sc, shape)) for sc in scores]
        for j in range(model.N_PIECES):
            scores[j][multi] = np.where(best == j, 1.0, np.where(np.isfinite(prod[:, j]), 0.0, -np.inf))
    x_nash, j_nash = _pick(scores, x_n)

    # Kalai-Smorodinsky: ideal gains over the whole ZOPA.
    ideal_G = model._max_of([np.where(valid[j], fr.G[j] - slope * lo[j], -np.inf) for j in range(model.N_PIECES)])
    ideal_O = model._max_of([np.where(valid[j], hi[j] - fr.C[j], -np.inf) for j in range(model.N_PIECES)])
    jG, jO = np.maximum(ideal_G, 0), np.maximum(ideal_O, 0)
    x_k, ratios = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        # bargaining.kalai_smorodinsky_linear, its operations inlined.
        den = jG + jO * slope
        safe = np.where(den > 0, den, 1.0)
        for j in range(model.N_PIECES):
            x = np.where(den > 0, (jO * fr.G[j] + jG * fr.C[j]) / safe, fr.C[j])
            x = np.where(slope > 0, x, hi[j])
            x = np.where(valid[j], np.clip(x, lo[j], hi[j]), np.nan)
            kG, kO = fr.gains(j, x)
            ratio = np.minimum(np.where(jG > 0, kG / jG, np.inf), np.where(jO > 0, kO / jO, np.inf))
            ratios.append(np.where(np.isinf(ratio) & valid[j], 1.0, ratio))
            x_k.append(x)
    x_ks, _ = _pick(ratios, x_k)

    # Rubinstein: the government proposes first on the Nash point's interval.
    share = bargaining.rubinstein(P["government.discount"], P["opposition.discount"])
    lo_n = model._select(lo, j_nash)
    hi_n = model._select(hi, j_nash)
    x_rub = hi_n - share * (hi_n - lo_n)

    q = P["mediator.enforcement"]
    out: dict[str, np.ndarray] = {}
    for name, x in zip(SOLUTIONS, (x_nash, x_ks, x_rub)):
        # Evaluate on the piece that produced x so a point on a jump takes that piece's value.
        u_G, u_O = _piece_utilities(res, x, j_nash if name != "kalai_smorodinsky" else None)
        out[f"{name}.x"] = model._full(x, shape)
        out[f"{name}.u_G"] = model._full(u_G, shape)
        out[f"{name}.u_O"] = model._full(u_O, shape)
        out[f"{name}.v_G"] = model._full(res.batna_G + q * (u_G - res.batna_G), shape)
        out[f"{name}.v_O"] = model._full(res.batna_O + q * (u_O - res.price_O), shape)
        out[f"{name}.gain_G"] = out[f"{name}.v_G"] - res.batna_G
        out[f"{name}.gain_O"] = out[f"{name}.v_O"] - res.batna_O
    return out


def best_piece_at(fr, x):
    """Index of the feasible piece containing x with the largest min(gain_G, gain_O) (first on ties)."""
    scores = []
    for j in range(model.N_PIECES):
        inside = (fr.lo[j] <= x) & (x <= fr.hi[j]) & fr.feasible[j]
        gG, gO = fr.gains(j, x)
        scores.append(np.where(inside, np.minimum(gG, gO), -np.inf))
    return model._argmax_first(scores)


def _piece_utilities(res: ModelResult, x, j):
    """U_G, U_O at x, evaluated with the linear form of piece j (or of the best piece containing x)."""
    fr = res._frame
    if j is None:
        j = best_piece_at(fr, x)
    G = model._select(fr.G, j)
    C = model._select(fr.C, j)
    gain_G, gain_O = G - fr.slope * x, x - C
    return res.batna_G + gain_G, res.price_O + gain_O
