"""The engagement game of MODEL.md section 6, built from model quantities.

Each side chooses Engage, Stall (attend but delay) or Exit.  Payoffs, in
full-control units, row player = government (matrix ``A``), column player =
opposition (matrix ``B``); B_G and B_O are the sides' (perceived) BATNAs:

================  ==============================  ==============================
cell (gov, opp)   government                      opposition
================  ==============================  ==============================
Engage, Engage    V_G(x*) if ZOPA else B_G        V_O(x*) if ZOPA else B_O
Stall,  Engage    B_G + lambda_G                  B_O - theta_O
Engage, Stall     B_G - theta_G                   B_O + lambda_O
Exit,   Engage    B_G - chi_G                     B_O
Engage, Exit      B_G                             B_O - chi_O
other cells       B_G                             B_O
================  ==============================  ==============================

x* is the asymmetric Nash bargaining point; V is the value of signing (a
gamble on implementation with probability q).  Whenever the ZOPA is empty,
several cells give both sides exactly their BATNAs, so the game is degenerate:
see :mod:`batna.games` for how its equilibria are reported.

Everything is vectorised: the inputs are arrays of any common shape and the
matrices have shape ``(..., 3, 3)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ACTIONS", "ENGAGE", "STALL", "EXIT", "payoff_matrices", "pure_summary", "pure_summary_direct"]

ACTIONS = ("Engage", "Stall", "Exit")
ENGAGE, STALL, EXIT = 0, 1, 2


def payoff_matrices(P, batna_G, batna_O, deal_G, deal_O, zopa_exists):
    """Payoff matrices ``A`` (government) and ``B`` (opposition), shape ``(..., 3, 3)``.

    Parameters
    ----------
    P : mapping of str to numpy.ndarray
        Broadcast parameters (delay gains, cohesion losses, exit costs).
    batna_G, batna_O : numpy.ndarray
        Perceived BATNAs (full-control units).
    deal_G, deal_O : numpy.ndarray
        Values of signing at the Nash bargaining point, V_G(x*), V_O(x*);
        ignored (may be NaN) where ``zopa_exists`` is False.
    zopa_exists : numpy.ndarray of bool
    """
    bG = np.asarray(batna_G, dtype=np.float64)
    bO = np.asarray(batna_O, dtype=np.float64)
    shape = np.broadcast_shapes(bG.shape, bO.shape, np.shape(zopa_exists))
    A = np.broadcast_to(bG[..., None, None], shape + (3, 3)).copy()
    B = np.broadcast_to(bO[..., None, None], shape + (3, 3)).copy()
    A[..., ENGAGE, ENGAGE] = np.where(zopa_exists, deal_G, bG)
    B[..., ENGAGE, ENGAGE] = np.where(zopa_exists, deal_O, bO)
    A[..., STALL, ENGAGE] += P["government.delay_gain"]
    B[..., STALL, ENGAGE] -= P["opposition.cohesion_loss"]
    A[..., ENGAGE, STALL] -= P["government.cohesion_loss"]
    B[..., ENGAGE, STALL] += P["opposition.delay_gain"]
    A[..., EXIT, ENGAGE] -= P["government.exit_cost"]
    B[..., ENGAGE, EXIT] -= P["opposition.exit_cost"]
    return A, B


def pure_summary(A, B, tol: float = 1e-9) -> dict[str, np.ndarray]:
    """Vectorised facts about the pure strategies of stacked 3x3 games.

    Returns
    -------
    dict of numpy.ndarray of bool
        ``engage_engage_equilibrium``: (Engage, Engage) is a Nash equilibrium;
        ``government_stalls_vs_engage``: Stall is a best response of the
        government to an engaging opposition.  Comparisons use ``tol``
        relative to each game's payoff range (as :mod:`batna.games` does).
    """
    A, B = np.asarray(A), np.asarray(B)
    # Element-wise maxima/minima over the nine cells (exact, so the same floats as
    # np.ptp and .max over the trailing axes, several times faster on stacked games).
    cells = [(i, j) for i in range(3) for j in range(3)]
    ptp = [_max(M[..., i, j] for i, j in cells) - _min(M[..., i, j] for i, j in cells) for M in (A, B)]
    scale = np.maximum(ptp[0], ptp[1])
    eps = tol * np.where(scale > 0, scale, 1.0)
    col_best = _max(A[..., i, ENGAGE] for i in range(3))
    row_best = _max(B[..., ENGAGE, j] for j in range(3))
    ee = (A[..., ENGAGE, ENGAGE] >= col_best - eps) & (B[..., ENGAGE, ENGAGE] >= row_best - eps)
    stall = A[..., STALL, ENGAGE] >= col_best - eps
    return {"engage_engage_equilibrium": ee, "government_stalls_vs_engage": stall}


def pure_summary_direct(P, batna_G, batna_O, deal_G, deal_O, zopa_exists, tol: float = 1e-9) -> dict[str, np.ndarray]:
    """``pure_summary(*payoff_matrices(...), tol)`` without building the matrices.

    Same arguments as :func:`payoff_matrices` plus ``tol``; the same floats
    (each cell is computed by the same operation, and maxima/minima are exact),
    but only the five distinct cells of each matrix are formed.
    """
    bG = np.asarray(batna_G, dtype=np.float64)
    bO = np.asarray(batna_O, dtype=np.float64)
    a_ee, b_ee = np.where(zopa_exists, deal_G, bG), np.where(zopa_exists, deal_O, bO)
    a_se = bG + P["government.delay_gain"]
    a_es = bG - P["government.cohesion_loss"]
    a_xe = bG - P["government.exit_cost"]
    b_se = bO - P["opposition.cohesion_loss"]
    b_es = bO + P["opposition.delay_gain"]
    b_ex = bO - P["opposition.exit_cost"]
    cells_A, cells_B = (bG, a_ee, a_se, a_es, a_xe), (bO, b_ee, b_se, b_es, b_ex)
    scale = np.maximum(_max(cells_A) - _min(cells_A), _max(cells_B) - _min(cells_B))
    eps = tol * np.where(scale > 0, scale, 1.0)
    col_best = _max((a_ee, a_se, a_xe))
    row_best = _max((b_ee, b_es, b_ex))
    ee = (a_ee >= col_best - eps) & (b_ee >= row_best - eps)
    stall = a_se >= col_best - eps
    return {"engage_engage_equilibrium": ee, "government_stalls_vs_engage": stall}


def _max(arrays):
    it = iter(arrays)
    out = next(it)
    for a in it:
        out = np.maximum(out, a)
    return out


def _min(arrays):
    it = iter(arrays)
    out = next(it)
    for a in it:
        out = np.minimum(out, a)
    return out
