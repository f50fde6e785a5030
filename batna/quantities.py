"""Every report quantity as arrays: the engine behind sweeps, Monte Carlo and the report.

:func:`evaluate_all` takes broadcastable parameter arrays and returns a flat
dict of arrays, one entry per scalar report quantity, with no Python loop over
points.  :func:`batna.analyse` reads its one-point case, so a sweep's value at
any grid point equals the report of that point.

The engagement game enters through pure-strategy facts that are exact without
enumerating equilibria (whether (Engage, Engage) is an equilibrium and whether
Stall is the government's best response to Engage); the full equilibrium sets
are the job of :mod:`batna.games`.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from . import agreement, engagement, model

__all__ = ["QUANTITIES", "evaluate_all", "compromise"]

#: name -> (unit, description) of every output of :func:`evaluate_all`.
QUANTITIES: dict[str, tuple[str, str]] = {
    "bite": ("share", "sanctions bite b"),
    "p": ("probability", "objective probability of regime breakdown within the horizon"),
    "p_O": ("probability", "opposition's perceived breakdown probability incl. US escalation"),
    "batna_G": ("full-control units", "government BATNA"),
    "batna_O": ("full-control units", "opposition BATNA (perceived)"),
    "batna_O_objective": ("full-control units", "opposition BATNA with optimism removed"),
    "price_O": ("full-control units", "opposition's price: BATNA plus implementation risk"),
    "margin": ("full-control units", "margin m; >= 0 exactly when the ZOPA is non-empty"),
    "margin_objective": ("full-control units", "margin with the opposition's objective BATNA"),
    "zopa_exists": ("bool", "a negotiated agreement beats both BATNAs"),
    "zopa_low": ("transition depth", "lowest depth in the ZOPA (NaN if empty)"),
    "zopa_high": ("transition depth", "highest depth in the ZOPA (NaN if empty)"),
    "zopa_width": ("transition depth", "total length of the ZOPA"),
    "binding": ("code", "binding constraint, index into batna.model.BINDING"),
    "compromise_x": ("transition depth", "Nash point if the ZOPA is open, else the best compromise"),
    "verdict_G": ("bool", "the government gains over its BATNA at compromise_x"),
    "verdict_O": ("bool", "the opposition gains over its BATNA at compromise_x"),
    **{f"{s}.{k}": (u, f"{s.replace('_', '-')} solution: {d}")
       for s in agreement.SOLUTIONS
       for k, u, d in (("x", "transition depth", "depth"),
                       ("gain_G", "full-control units", "government's gain over its BATNA"),
                       ("gain_O", "full-control units", "opposition's gain over its BATNA"))},
    "engage_engage_equilibrium": ("bool", "(Engage, Engage) is a Nash equilibrium of the engagement game"),
    "government_stalls_vs_engage": ("bool", "Stall is the government's best response to Engage"),
}


def compromise(res: model.ModelResult, nash_x: np.ndarray):
    """Depth where a deal would be struck and each side's gain there.

    The Nash point when the ZOPA is open; otherwise the depth that maximises
    the smaller of the two gains (the margin's maximiser).

    Returns
    -------
    x, gain_G, gain_O : numpy.ndarray
        Gains are U - B_G and U_O - P_O (full-control units).
    """
    fr = res._frame
    j = model._argmax_first(fr.per_piece)
    x_c = model._select(fr.crossings, j)
    x = np.where(res.margin >= 0, nash_x, x_c)
    # Gains on the piece that holds x (the best piece at x).
    k = agreement.best_piece_at(fr, x)
    G, C = model._select(fr.G, k), model._select(fr.C, k)
    return x, model._full(G - fr.slope * x, x.shape), model._full(x - C, x.shape)


#: Points per block of :func:`evaluate_all`: large inputs are evaluated in blocks of this many
#: points so the intermediates stay in the CPU cache (every point is independent, so the
#: values do not depend on it).
BLOCK = 32768


def evaluate_all(values: Mapping[str, object], tol: float = 1e-9) -> dict[str, np.ndarray]:
    """All scalar report quantities at every point of a broadcast parameter set.

    Parameters
    ----------
    values : mapping of str to float or array_like
        Parameter values keyed ``actor.name`` (missing keys: defaults).
    tol : float
        Tolerance of the engagement-game best-response checks (relative to
        each game's payoff range).

    Returns
    -------
    dict of str to numpy.ndarray
        Keys and meanings in :data:`QUANTITIES`, each of the broadcast shape of ``values``.
    """
    P, shape = model.lazy_parameters(values)
    size = math.prod(shape)
    if size <= BLOCK:
        return {k: _full(v, shape) for k, v in _evaluate(P, shape, tol).items()}
    flat = {k: v if v.ndim == 0 else np.broadcast_to(v, shape).reshape(-1) for k, v in P.items()}
    out: dict[str, np.ndarray] = {}
    for start in range(0, size, BLOCK):
        stop = min(start + BLOCK, size)
        part = _evaluate({k: v if v.ndim == 0 else v[start:stop] for k, v in flat.items()}, (stop - start,), tol)
        for k, v in part.items():
            if k not in out:
                out[k] = np.empty(size, dtype=np.asarray(v).dtype)
            out[k][start:stop] = v
    return {k: v.reshape(shape) for k, v in out.items()}


def _full(v, shape):
    v = np.asarray(v)
    return v if v.shape == shape else np.array(np.broadcast_to(v, shape))


def _evaluate(P, shape, tol):
    """:func:`evaluate_all` on one block of lazily broadcast parameters ``P`` of broadcast shape ``shape``."""
    res = model.evaluate_lazy(P, shape)
    sol = agreement.solutions(res)
    x, gG, gO = compromise(res, sol["nash.x"])
    pure = engagement.pure_summary_direct(res.parameters, res.batna_G, res.batna_O, sol["nash.v_G"],
                                          sol["nash.v_O"], res.margin >= 0, tol=tol)
    fr = res._frame
    # Over the pieces' ZOPA intervals (NaN where a piece has none): the same floats as
    # np.nansum / np.nanmin / np.nanmax over the stacked trailing axis (nansum adds in index
    # order; min and max are exact), as element-wise operations.
    width = None
    for lo, hi in zip(fr.zlow, fr.zhigh):
        d = hi - lo
        d = np.where(np.isnan(d), 0.0, d)
        width = d if width is None else width + d
    zlow, zhigh = fr.zlow[0], fr.zhigh[0]
    for j in range(1, model.N_PIECES):
        zlow, zhigh = np.fmin(zlow, fr.zlow[j]), np.fmax(zhigh, fr.zhigh[j])
    out = {
        "bite": res.bite, "p": res.p, "p_O": res.p_O,
        "batna_G": res.batna_G, "batna_O": res.batna_O, "batna_O_objective": res.batna_O_objective,
        "price_O": res.price_O, "margin": res.margin, "margin_objective": res.margin_objective,
        "zopa_exists": res.margin >= 0,
        "zopa_low": zlow, "zopa_high": zhigh, "zopa_width": width,
        "binding": res.binding,
        "compromise_x": x, "verdict_G": gG >= 0, "verdict_O": gO >= 0,
    }
    for s in agreement.SOLUTIONS:
        for k in ("x", "gain_G", "gain_O"):
            out[f"{s}.{k}"] = sol[f"{s}.{k}"]
    out["engage_engage_equilibrium"] = pure["engage_engage_equilibrium"]
    out["government_stalls_vs_engage"] = pure["government_stalls_vs_engage"]
    return out
