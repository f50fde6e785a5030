"""Two-player bargaining solutions, usable on their own.

This module does not depend on any other part of batna except
:mod:`batna.errors`. It gives

* :func:`nash_solution` -- the (asymmetric) Nash bargaining solution on a
  sampled set of feasible utility pairs (Nash 1950);
* :func:`kalai_smorodinsky` -- the Kalai-Smorodinsky solution on a sampled
  set (Kalai and Smorodinsky 1975);
* :func:`rubinstein` -- the first proposer's share of a unit pie in the unique
  subgame-perfect equilibrium of alternating offers (Rubinstein 1982), with
  outside options (Binmore, Shaked and Sutton 1989; Muthoo 1999, ch. 5);
* :func:`nash_linear` and :func:`kalai_smorodinsky_linear` -- closed forms of
  the two axiomatic solutions on a linear frontier segment, vectorised over
  numpy arrays for parameter sweeps.

Utilities are in whatever (cardinal) units the caller uses; only differences
from the disagreement point matter. The Nash solution is invariant under
separate positive affine rescaling of each player's utility, and so is the
Kalai-Smorodinsky solution.

References
----------
Nash, J. F. (1950). The bargaining problem. Econometrica 18(2):155-162.

Kalai, E. and Smorodinsky, M. (1975). Other solutions to Nash's bargaining
problem. Econometrica 43(3):513-518.

Rubinstein, A. (1982). Perfect equilibrium in a bargaining model.
Econometrica 50(1):97-109.

Binmore, K., Rubinstein, A. and Wolinsky, A. (1986). The Nash bargaining
solution in economic modelling. RAND Journal of Economics 17(2):176-188.

Binmore, K., Shaked, A. and Sutton, J. (1989). An outside option experiment.
Quarterly Journal of Economics 104(4):753-770.

Muthoo, A. (1999). Bargaining Theory with Applications. Cambridge University
Press, chapter 5 (outside options).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from batna.errors import NoIndividuallyRationalPoint

__all__ = [
    "FrontierPoint",
    "nash_solution",
    "kalai_smorodinsky",
    "rubinstein",
    "nash_linear",
    "kalai_smorodinsky_linear",
]


@dataclass(frozen=True)
class FrontierPoint:
    """One of the input points, chosen by a bargaining solution.

    Attributes
    ----------
    u1, u2 : float
        The utilities of player 1 and player 2 at the chosen point, exactly as
        given in the input (not relative to the disagreement point).
    index : int
        Position of the point in the input arrays (0-based).
    """

    u1: float
    u2: float
    index: int

    def to_dict(self) -> dict:
        """Return ``{"u1": float, "u2": float, "index": int}``."""
        return {"u1": float(self.u1), "u2": float(self.u2), "index": int(self.index)}


# --------------------------------------------------------------------------
# helpers for the sampled solutions
# --------------------------------------------------------------------------


def _validate_points(u1, u2, d) -> tuple[np.ndarray, np.ndarray, float, float]:
    a1 = np.asarray(u1, dtype=float)
    a2 = np.asarray(u2, dtype=float)
    if a1.ndim != 1 or a2.ndim != 1:
        raise ValueError(
            f"u1 and u2 must be one-dimensional; got shapes {a1.shape} and {a2.shape}"
        )
    if a1.shape != a2.shape:
        raise ValueError(
            f"u1 and u2 must have the same length; got {a1.size} and {a2.size}"
        )
    if a1.size == 0:
        raise ValueError("u1 and u2 are empty; need at least one feasible point")
    if not (np.all(np.isfinite(a1)) and np.all(np.isfinite(a2))):
        bad = np.flatnonzero(~(np.isfinite(a1) & np.isfinite(a2)))
        raise ValueError(
            f"u1 and u2 must be finite; non-finite values at indices {bad[:10].tolist()}"
        )
    try:
        d1, d2 = (float(x) for x in d)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"d must be a pair of numbers (d1, d2); got {d!r}") from exc
    if not (np.isfinite(d1) and np.isfinite(d2)):
        raise ValueError(f"disagreement point d must be finite; got {(d1, d2)}")
    return a1, a2, d1, d2


def _rational(a1, a2, d1, d2) -> np.ndarray:
    """Indices of the individually rational points; raise if there are none."""
    idx = np.flatnonzero((a1 >= d1) & (a2 >= d2))
    if idx.size == 0:
        raise NoIndividuallyRationalPoint(
            f"no feasible point gives both sides at least their disagreement payoff "
            f"d = ({d1:g}, {d2:g}): the best player 1 can get is {a1.max():g} and the "
            f"best player 2 can get is {a2.max():g} (over all points, each on its own)"
        )
    return idx


def _undominated(g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """Boolean mask: points not weakly dominated (one strict) by another point.

    O(n log n). Identical points do not dominate each other.
    """
    n = g1.size
    if n <= 1:
        return np.ones(n, dtype=bool)
    order = np.lexsort((-g2, -g1))  # by g1 descending, then g2 descending
    s1, s2 = g1[order], g2[order]
    mask_sorted = np.ones(n, dtype=bool)
    # start of each run of equal g1
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = s1[1:] != s1[:-1]
    group_id = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    group_max2 = s2[starts]  # first in group has the largest g2 of the group
    # best g2 over all groups with strictly larger g1
    prev_best = np.full(starts.size, -np.inf)
    if starts.size > 1:
        prev_best[1:] = np.maximum.accumulate(group_max2)[:-1]
    mask_sorted &= s2 >= group_max2[group_id]  # not beaten within its g1 group
    mask_sorted &= s2 > prev_best[group_id]  # not beaten by a larger-g1 point
    mask = np.empty(n, dtype=bool)
    mask[order] = mask_sorted
    return mask


def _pick(objective: np.ndarray, v1: np.ndarray, v2: np.ndarray) -> int:
    """Position (into ``objective``) of the chosen maximiser.

    Among exact ties of ``objective``: drop points whose raw utilities
    ``(v1, v2)`` are dominated by another tied point, then take the lowest
    position. Because the objectives used here are computed with monotone
    floating-point operations, a point that dominates a maximiser always ties
    with it exactly, so the result is never dominated by any candidate. (The
    raw utilities, not the gains, are compared: subtracting d can round two
    different utilities to the same gain.)
    """
    best = objective.max()
    tied = np.flatnonzero(objective == best)
    if tied.size == 1:
        return int(tied[0])
    keep = _undominated(v1[tied], v2[tied])
    return int(tied[keep][0])


def _validate_power(power) -> float:
    try:
        alpha = float(power)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"power must be a number in [0, 1]; got {power!r}") from exc
    if not (0.0 <= alpha <= 1.0):  # also rejects NaN
        raise ValueError(f"power (player 1's bargaining weight) must be in [0, 1]; got {power!r}")
    return alpha


# --------------------------------------------------------------------------
# sampled solutions
# --------------------------------------------------------------------------


def nash_solution(u1, u2, d, power=0.5) -> FrontierPoint:
    r"""Asymmetric Nash bargaining solution on a sampled feasible set.

    Chooses, among the individually rational points (:math:`u_1 \ge d_1` and
    :math:`u_2 \ge d_2`), the one maximising the generalised Nash product

    .. math:: (u_1 - d_1)^{\alpha} \, (u_2 - d_2)^{1 - \alpha}

    (Nash 1950 for :math:`\alpha = 1/2`; the asymmetric form is the one that
    arises as the limit of alternating-offers bargaining with different
    discount rates, Binmore, Rubinstein and Wolinsky 1986). The product is
    maximised in logarithms, :math:`\alpha\log g_1 + (1-\alpha)\log g_2`, so it
    does not under- or overflow.

    Parameters
    ----------
    u1, u2 : array_like of float, shape (n,)
        Utilities of player 1 and player 2 at n sampled feasible agreements
        (any cardinal units; dominated points are allowed). Must be finite.
    d : pair of float
        Disagreement point (d1, d2) in the same units.
    power : float, default 0.5
        Player 1's bargaining weight :math:`\alpha \in [0, 1]`; player 2's is
        :math:`1 - \alpha`.

    Returns
    -------
    FrontierPoint
        The chosen input point and its index.

    Raises
    ------
    NoIndividuallyRationalPoint
        If no point has ``u1 >= d1`` and ``u2 >= d2``.
    ValueError
        If u1 and u2 differ in length, are empty or not one-dimensional,
        contain NaN or infinity, or if ``power`` is outside [0, 1].

    Notes
    -----
    Rules, in order:

    1. ``power == 1``: maximise player 1's gain, ties broken by player 2's
       gain (lexicographic); ``power == 0``: the same with the roles swapped.
    2. ``0 < power < 1`` and some rational point gives both players a strictly
       positive gain: maximise the Nash product over those points.
    3. ``0 < power < 1`` and every rational point leaves at least one player
       at its disagreement payoff (the product is 0 everywhere): maximise the
       weighted gain :math:`\alpha g_1 + (1-\alpha) g_2`.

    Remaining exact ties (equal floating-point objective) are broken by first
    discarding points that another tied point dominates, then taking the lowest
    index. The result is therefore Pareto optimal within the rational sampled
    points, and invariant under ``u_i -> a_i u_i + b_i`` (a_i > 0, applied to
    d_i as well) up to floating-point near-ties.
    """
    a1, a2, d1, d2 = _validate_points(u1, u2, d)
    alpha = _validate_power(power)
    idx = _rational(a1, a2, d1, d2)
    g1 = a1[idx] - d1
    g2 = a2[idx] - d2

    v1, v2 = a1[idx], a2[idx]
    if alpha == 1.0 or alpha == 0.0:
        # compare raw utilities (same order as gains, without rounding ties)
        first, second = (v1, v2) if alpha == 1.0 else (v2, v1)
        cand = np.flatnonzero(first == first.max())
        cand = cand[second[cand] == second[cand].max()]
        pos = int(cand[0])
    else:
        positive = (g1 > 0) & (g2 > 0)
        if positive.any():
            with np.errstate(divide="ignore"):
                obj = alpha * np.log(g1) + (1.0 - alpha) * np.log(g2)
            obj = np.where(positive, obj, -np.inf)
        else:
            obj = alpha * g1 + (1.0 - alpha) * g2
        pos = _pick(obj, v1, v2)

    i = int(idx[pos])
    return FrontierPoint(u1=float(a1[i]), u2=float(a2[i]), index=i)


def kalai_smorodinsky(u1, u2, d) -> FrontierPoint:
    r"""Kalai-Smorodinsky bargaining solution on a sampled feasible set.

    Let R be the individually rational points (:math:`u_i \ge d_i`) and
    :math:`I_i = \max_{R} u_i` the ideal (utopia) point of R. The
    Kalai-Smorodinsky solution (Kalai and Smorodinsky 1975) is the Pareto point
    on the segment from d to I. On a finite sample it is approximated by
    maximising the smaller of the two normalised gains,

    .. math:: \min\left(\frac{u_1 - d_1}{I_1 - d_1},\;
                        \frac{u_2 - d_2}{I_2 - d_2}\right),

    which for a convex, comprehensive feasible set is maximised exactly where
    the ray from d towards I leaves the set.

    Parameters
    ----------
    u1, u2 : array_like of float, shape (n,)
        Utilities of the two players at n sampled feasible agreements.
    d : pair of float
        Disagreement point (d1, d2).

    Returns
    -------
    FrontierPoint
        The chosen input point and its index.

    Raises
    ------
    NoIndividuallyRationalPoint
        If no point has ``u1 >= d1`` and ``u2 >= d2``.
    ValueError
        If u1 and u2 differ in length, are empty or not one-dimensional, or
        contain NaN or infinity.

    Notes
    -----
    If :math:`I_i = d_i` (no rational point gives player i anything), player
    i's normalised gain is taken to be 1 at every rational point (each gives it
    all it can get), so the other player's gain is maximised. If both ideal
    gains are zero every rational point equals d in utility and the lowest
    index is returned. Exact ties are broken toward Pareto optimality within
    the tied points, then by the lowest index.
    """
    a1, a2, d1, d2 = _validate_points(u1, u2, d)
    idx = _rational(a1, a2, d1, d2)
    g1 = a1[idx] - d1
    g2 = a2[idx] - d2
    i1, i2 = g1.max(), g2.max()
    r1 = g1 / i1 if i1 > 0 else np.ones_like(g1)
    r2 = g2 / i2 if i2 > 0 else np.ones_like(g2)
    pos = _pick(np.minimum(r1, r2), a1[idx], a2[idx])
    i = int(idx[pos])
    return FrontierPoint(u1=float(a1[i]), u2=float(a2[i]), index=i)


# --------------------------------------------------------------------------
# Rubinstein alternating offers with outside options
# --------------------------------------------------------------------------


def _scalar_or_array(x: np.ndarray, scalar: bool):
    return float(x) if scalar else x


def rubinstein(delta1, delta2, outside1=0.0, outside2=0.0):
    r"""First proposer's share of a unit pie in Rubinstein bargaining.

    Model (Rubinstein 1982, with the outside-option variant of Muthoo 1999,
    section 5.2, which is the game of Binmore, Shaked and Sutton 1989):
    players 1 and 2 divide a pie of size 1. Player 1 proposes in periods
    0, 2, 4, ..., player 2 in periods 1, 3, .... The responder may (a) accept,
    ending the game with the proposed split; (b) reject and opt out, ending
    the game immediately (in the same period, no extra delay) with payoffs
    ``(outside1, outside2)``; or (c) reject and make the next proposal one
    period later. Only the responder can opt out. Payoffs received in period t
    are discounted by :math:`\delta_i^t`. Perpetual disagreement gives (0, 0).

    Without outside options the unique subgame-perfect equilibrium (SPE) gives
    the first proposer

    .. math:: x^* = \frac{1 - \delta_2}{1 - \delta_1\delta_2},
              \qquad y^* = \frac{1 - \delta_1}{1 - \delta_1\delta_2}

    being player 2's share when it proposes.

    **Derivation with outside options** (:math:`w_1, w_2`). In the stationary
    SPE let x be player 1's share when it proposes and y player 2's share when
    it proposes. A responder accepts exactly when its offer is at least the
    better of opting out and waiting to propose, so the proposer offers just
    that:

    .. math:: x = 1 - \max(w_2, \delta_2 y), \qquad
              y = 1 - \max(w_1, \delta_1 x).

    Solving the four combinations of binding/non-binding maxima (using
    :math:`w_2 \ge \delta_2(1-\delta_1(1-w_2)) \iff w_2 \ge \delta_2 y^*` and
    the symmetric identity) gives the case split of Muthoo (1999, ch. 5):

    ========================================================  ===========================
    condition                                                  x (player 1's share)
    ========================================================  ===========================
    :math:`w_1 \le \delta_1 x^*,\ w_2 \le \delta_2 y^*`           :math:`x^*`
    :math:`w_2 > \delta_2 y^*,\ w_1 \le \delta_1 (1-w_2)`         :math:`1 - w_2`
    :math:`w_1 > \delta_1 x^*,\ w_2 \le \delta_2 (1-w_1)`         :math:`1 - \delta_2(1 - w_1)`
    :math:`w_1 > \delta_1(1-w_2),\ w_2 > \delta_2(1-w_1)`         :math:`1 - w_2`
    ========================================================  ===========================

    The cases are exhaustive and mutually exclusive when
    :math:`w_1 + w_2 \le 1`, and neighbouring formulas agree on the
    boundaries. This is the *outside-option principle*: an outside option
    affects the outcome only if it is worth more than what the player would
    get as responder without it (:math:`\delta_2 y^* = 1 - x^*` for player 2,
    :math:`\delta_1 x^*` for player 1); if it is, the player gets exactly its
    outside option whenever it responds. In particular player 2 (the first
    responder) gets ``max(outside2, 1 - x*)`` when ``outside1`` does not bind.

    Parameters
    ----------
    delta1, delta2 : float or array_like
        Per-period discount factors of players 1 and 2, each in [0, 1).
    outside1, outside2 : float or array_like, default 0
        Outside options in units of the pie, each in [0, 1], with
        ``outside1 + outside2 <= 1`` (otherwise there is no gain from agreeing
        and the SPE is not the one described).

    Returns
    -------
    float or numpy.ndarray
        Player 1's (the first proposer's) equilibrium share, in [0, 1];
        player 2 gets one minus it. Agreement is immediate. A float if all
        inputs are scalars, otherwise an array of the broadcast shape.

    Raises
    ------
    ValueError
        If any input is non-finite or outside its range, or the inputs do not
        broadcast together.

    Notes
    -----
    With :math:`\delta_i = e^{-r_i \Delta}` and :math:`\Delta \to 0`, the
    share tends to :math:`r_2/(r_1+r_2)`, the asymmetric Nash solution with
    :math:`\alpha = r_2/(r_1 + r_2)` (Binmore, Rubinstein and Wolinsky 1986).
    """
    scalar = all(np.ndim(v) == 0 for v in (delta1, delta2, outside1, outside2))
    try:
        d1, d2, w1, w2 = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (delta1, delta2, outside1, outside2))
        )
    except ValueError as exc:
        raise ValueError(f"rubinstein: inputs do not broadcast together: {exc}") from exc
    for name, v in (("delta1", d1), ("delta2", d2)):
        bad = ~((v >= 0.0) & (v < 1.0))
        if bad.any():
            raise ValueError(
                f"rubinstein: {name} must be a discount factor in [0, 1); "
                f"got {v[bad].ravel()[:5].tolist()}"
            )
    for name, v in (("outside1", w1), ("outside2", w2)):
        bad = ~((v >= 0.0) & (v <= 1.0))
        if bad.any():
            raise ValueError(
                f"rubinstein: {name} must be in [0, 1] (units of the pie); "
                f"got {v[bad].ravel()[:5].tolist()}"
            )
    over = w1 + w2 > 1.0
    if over.any():
        raise ValueError(
            "rubinstein: outside1 + outside2 must be <= 1 (else no agreement is "
            f"worth reaching); got sums {(w1 + w2)[over].ravel()[:5].tolist()}"
        )

    den = 1.0 - d1 * d2
    xs = (1.0 - d2) / den
    ys = (1.0 - d1) / den
    c1 = (w1 <= d1 * xs) & (w2 <= d2 * ys)
    c2 = (w2 > d2 * ys) & (w1 <= d1 * (1.0 - w2))
    c3 = (w1 > d1 * xs) & (w2 <= d2 * (1.0 - w1))
    # remaining case: both options bind, x = 1 - w2 (same formula as c2)
    x = np.select([c1, c2, c3], [xs, 1.0 - w2, 1.0 - d2 * (1.0 - w1)], default=1.0 - w2)
    x = np.clip(x, 0.0, 1.0)
    return _scalar_or_array(x, scalar)


# --------------------------------------------------------------------------
# closed forms on a linear frontier segment
# --------------------------------------------------------------------------


def _linear_args(g, c, lo, hi):
    try:
        a1, b1 = g
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "g must be a pair (a1, b1): player 1's gain is a1 - b1 * x"
        ) from exc
    arrs = [np.asarray(v, dtype=float) for v in (a1, b1, c, lo, hi)]
    for name, v in zip(("g[0]", "g[1]", "c", "lo", "hi"), arrs):
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} must be finite")
    a1, b1, a2, lo, hi = arrs
    if np.any(b1 < 0):
        raise ValueError("g[1] (b1, the rate at which player 1's gain falls) must be >= 0")
    if np.any(lo > hi):
        raise ValueError("lo must be <= hi")
    # the individually rational part of [lo, hi] must be nonempty:
    # x >= a2 and a1 - b1 x >= 0
    empty = (np.maximum(lo, a2) > hi) | (a1 - b1 * np.maximum(lo, a2) < 0)
    if np.any(empty):
        raise NoIndividuallyRationalPoint(
            "no x in [lo, hi] gives both players a nonnegative gain "
            "(need x >= c and g[0] - g[1] * x >= 0) for at least one parameter point"
        )
    return a1, b1, a2, lo, hi


def nash_linear(g, c, alpha, lo, hi):
    r"""Asymmetric Nash solution on a linear frontier segment (closed form).

    The segment is parametrised by x in [lo, hi] (typically player 2's
    utility level, or a transfer). Player 1's gain over disagreement is
    :math:`G_1(x) = a_1 - b_1 x` (non-increasing, :math:`b_1 \ge 0`) and
    player 2's is :math:`G_2(x) = x - a_2`, with ``g = (a1, b1)`` and
    ``c = a2``. The function returns the maximiser of

    .. math:: G_1(x)^{\alpha}\, G_2(x)^{1-\alpha}

    over the x in [lo, hi] where both gains are nonnegative.

    Derivation: the log objective
    :math:`\alpha\log(a_1 - b_1 x) + (1-\alpha)\log(x - a_2)` is concave;
    setting its derivative to zero,
    :math:`(1-\alpha)(a_1 - b_1 x) = \alpha b_1 (x - a_2)`, gives

    .. math:: x^* = (1-\alpha)\frac{a_1}{b_1} + \alpha a_2 ,

    a convex combination of :math:`a_1/b_1` (where player 1's gain vanishes)
    and :math:`a_2` (where player 2's does). By concavity the constrained
    maximiser is ``clip(x*, lo, hi)``; this also covers :math:`\alpha \in
    \{0, 1\}`. If :math:`b_1 = 0` player 1's gain does not depend on x and
    the answer is ``hi`` (best for player 2, Pareto optimal).

    Parameters
    ----------
    g : pair of float or array_like
        ``(a1, b1)``: player 1's gain is ``a1 - b1 * x``; b1 >= 0.
    c : float or array_like
        a2: player 2's gain is ``x - c``.
    alpha : float or array_like
        Player 1's bargaining weight, in [0, 1].
    lo, hi : float or array_like
        The segment's end points, lo <= hi.

    Returns
    -------
    float or numpy.ndarray
        x*, broadcast over all arguments (float if all are scalars).

    Raises
    ------
    ValueError
        Non-finite input, b1 < 0, lo > hi, alpha outside [0, 1].
    NoIndividuallyRationalPoint
        If for some parameter point no x in [lo, hi] gives both players a
        nonnegative gain.
    """
    scalar = all(np.ndim(v) == 0 for v in (*g, c, alpha, lo, hi)) if _is_pair(g) else False
    a1, b1, a2, lo, hi = _linear_args(g, c, lo, hi)
    al = np.asarray(alpha, dtype=float)
    if not np.all((al >= 0.0) & (al <= 1.0)):
        raise ValueError("alpha (player 1's bargaining weight) must be in [0, 1]")
    a1, b1, a2, al, lo, hi = np.broadcast_arrays(a1, b1, a2, al, lo, hi)
    safe_b = np.where(b1 > 0, b1, 1.0)
    x = np.where(b1 > 0, (1.0 - al) * a1 / safe_b + al * a2, hi)
    x = np.clip(x, lo, hi)
    return _scalar_or_array(x, scalar)


def _is_pair(g) -> bool:
    try:
        return len(g) == 2
    except TypeError:
        return False


def kalai_smorodinsky_linear(g, c, ideal, lo, hi):
    r"""Kalai-Smorodinsky solution on a linear frontier segment (closed form).

    Same segment as :func:`nash_linear`: gains :math:`G_1(x) = a_1 - b_1 x`
    and :math:`G_2(x) = x - a_2` for x in [lo, hi], ``g = (a1, b1)``,
    ``c = a2``. ``ideal = (J1, J2)`` are the players' *ideal gains*
    :math:`J_i = I_i - d_i \ge 0` (the best each can get among the
    individually rational agreements of the whole problem, which may extend
    beyond this segment).

    The solution maximises :math:`\min(G_1/J_1, G_2/J_2)`. For
    :math:`b_1 > 0` the first ratio falls and the second rises in x, so the
    maximiser is where they are equal:

    .. math:: \frac{a_1 - b_1 x}{J_1} = \frac{x - a_2}{J_2}
              \;\Longrightarrow\;
              x^* = \frac{J_2 a_1 + J_1 a_2}{J_1 + J_2 b_1},

    clipped to [lo, hi]. The same formula covers :math:`J_1 = 0`
    (:math:`x^* = a_1/b_1`: player 2 gets as much as possible) and
    :math:`J_2 = 0` (:math:`x^* = a_2`), matching the convention of
    :func:`kalai_smorodinsky`; if both are zero the answer is ``clip(a2)``.
    If :math:`b_1 = 0` the answer is ``hi`` (player 1's gain is constant).

    Parameters
    ----------
    g : pair of float or array_like
        ``(a1, b1)``, b1 >= 0.
    c : float or array_like
        a2.
    ideal : pair of float or array_like
        ``(J1, J2)``, ideal gains, each >= 0.
    lo, hi : float or array_like
        The segment's end points, lo <= hi.

    Returns
    -------
    float or numpy.ndarray
        x*, broadcast over all arguments (float if all are scalars).

    Raises
    ------
    ValueError
        Non-finite input, b1 < 0, lo > hi, negative ideal gains.
    NoIndividuallyRationalPoint
        If for some parameter point no x in [lo, hi] gives both players a
        nonnegative gain.
    """
    if not _is_pair(ideal):
        raise ValueError("ideal must be a pair (J1, J2) of ideal gains")
    scalar = _is_pair(g) and all(np.ndim(v) == 0 for v in (*g, c, *ideal, lo, hi))
    a1, b1, a2, lo, hi = _linear_args(g, c, lo, hi)
    j1, j2 = (np.asarray(v, dtype=float) for v in ideal)
    if not (np.all(np.isfinite(j1)) and np.all(np.isfinite(j2))):
        raise ValueError("ideal gains must be finite")
    if np.any(j1 < 0) or np.any(j2 < 0):
        raise ValueError("ideal gains (J1, J2) must be >= 0")
    a1, b1, a2, j1, j2, lo, hi = np.broadcast_arrays(a1, b1, a2, j1, j2, lo, hi)
    den = j1 + j2 * b1
    safe = np.where(den > 0, den, 1.0)
    x = np.where(den > 0, (j2 * a1 + j1 * a2) / safe, a2)
    x = np.where(b1 > 0, x, hi)
    x = np.clip(x, lo, hi)
    return _scalar_or_array(x, scalar)
