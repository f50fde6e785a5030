"""The report: everything ``batna analyse`` says about one scenario.

:func:`analyse` runs the model (a one-point sweep), the bargaining solutions,
the engagement game's equilibria and the verdict thresholds, and returns a
frozen :class:`Report`.  Renderers in :mod:`batna.render` read it and compute
nothing of their own.  :meth:`Report.to_dict` is the JSON schema (documented in
``docs/reference/report-schema.md``; bump :data:`SCHEMA_VERSION` on any
incompatible change).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import __version__
from . import agreement, engagement, model, quantities, thresholds
from . import parameters as _params
from .games import DEFAULT_TOL, EquilibriumResult, solve
from .scenario import Scenario

__all__ = ["SCHEMA_VERSION", "Report", "analyse", "zopa_intervals", "describe_equilibria"]

SCHEMA_VERSION = "1.0"
#: Digits kept when floats are written to JSON (see docs: determinism).
JSON_DIGITS = 12


def _f(x) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def zopa_intervals(low, high) -> list[list[float]]:
    """Merge one point's per-piece ZOPA slots into a sorted union of disjoint [low, high] intervals."""
    pairs = sorted((float(a), float(b)) for a, b in zip(np.ravel(low), np.ravel(high)) if not np.isnan(a))
    out: list[list[float]] = []
    for a, b in pairs:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _mix(p: np.ndarray) -> str:
    """A strategy in words: ``Stall`` or ``(0.488 Engage + 0.512 Stall)``."""
    parts = [engagement.ACTIONS[i] if abs(w - 1) < 1e-12 else f"{w:.3g} {engagement.ACTIONS[i]}"
             for i, w in enumerate(p) if w > 0]
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def describe_equilibria(result: EquilibriumResult) -> list[str]:
    """Plain-language lines, one per maximal Nash subset (or equilibrium)."""
    lines = []
    for sub in result.subsets:
        rows = [_mix(r) for r in sub.rows]
        cols = [_mix(c) for c in sub.columns]
        if len(rows) == 1 and len(cols) == 1:
            lines.append(f"government plays {rows[0]}; opposition plays {cols[0]}")
            continue
        g = f"the government plays {rows[0]}" if len(rows) == 1 else \
            "the government plays any mix of " + ", ".join(rows)
        o = f"the opposition plays {cols[0]}" if len(cols) == 1 else \
            "the opposition plays any mix of " + ", ".join(cols)
        lines.append(f"a continuum of equilibria in which {g} and {o}")
    return lines


@dataclass(frozen=True)
class Report:
    """The analysis of one scenario (see :meth:`to_dict` for the field meanings)."""

    scenario: Scenario
    values: dict
    lottery: dict
    batna: dict
    zopa: list
    margin: float
    margin_objective: float
    verdict: dict
    binding: str
    compromise: float
    solutions: dict | None
    game: dict
    equilibrium_result: EquilibriumResult = field(repr=False)
    thresholds: tuple = ()

    @property
    def zopa_exists(self) -> bool:
        return self.margin >= 0

    @property
    def headline(self) -> str:
        """The verdict in one line."""
        if self.zopa_exists:
            return (f"AGREEMENT POSSIBLE: a deal beats both sides' BATNAs "
                    f"(margin {self.margin:+.3f}; ZOPA {_fmt_zopa(self.zopa)}).")
        return (f"NO AGREEMENT: no deal beats both sides' BATNAs "
                f"(margin {self.margin:+.3f}; binding: {self.binding}).")

    def to_dict(self) -> dict:
        """JSON-ready dict with the documented schema (floats rounded to 12 significant digits)."""
        d = {
            "schema_version": SCHEMA_VERSION,
            "batna_version": __version__,
            "scenario": self.scenario.to_dict(),
            "parameters": {
                k: {"value": v, "unit": _params.get(k).unit, "source": self.scenario.sources.get(k, "default")}
                for k, v in self.values.items()
            },
            "lottery": self.lottery,
            "batna": self.batna,
            "zopa": self.zopa,
            "margin": self.margin,
            "margin_objective": self.margin_objective,
            "verdict": self.verdict,
            "binding": self.binding,
            "compromise_depth": self.compromise,
            "solutions": self.solutions,
            "equilibria": {
                **self.game,
                **self.equilibrium_result.to_dict(),
                "description": describe_equilibria(self.equilibrium_result),
            },
            "thresholds": [t.to_dict() for t in self.thresholds],
        }
        return _round(d)


def _round(obj):
    if isinstance(obj, float):
        return float(f"{obj:.{JSON_DIGITS}g}") if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _round(obj.tolist())
    if isinstance(obj, np.generic):
        return _round(obj.item())
    return obj


def _fmt_zopa(z) -> str:
    return " U ".join(f"[{a:.3f}, {b:.3f}]" for a, b in z) if z else "empty"


def analyse(scenario: Scenario, tol: float = DEFAULT_TOL) -> Report:
    """Analyse one scenario.

    Parameters
    ----------
    scenario : Scenario
        From :func:`batna.load_scenario`.
    tol : float
        Tolerance of the equilibrium solver (relative to the payoff range).

    Returns
    -------
    Report
    """
    res = model.evaluate(scenario.values)
    sol = agreement.solutions(res)
    exists = bool(res.margin >= 0)

    x_c, gG, gO = (float(v) for v in quantities.compromise(res, sol["nash.x"]))
    verdict = {
        "government": bool(gG >= 0),
        "opposition": bool(gO >= 0),
        "agreement": exists,
        "at_depth": x_c,
    }

    A, B = engagement.payoff_matrices(res.parameters, res.batna_G, res.batna_O,
                                      sol["nash.v_G"], sol["nash.v_O"], res.margin >= 0)
    eq = solve(A, B, tol=tol)
    pure = engagement.pure_summary(A, B, tol=tol)
    stall_in_eq = any(e.row[engagement.STALL] > 0 for e in eq.equilibria)
    game = {
        "actions": list(engagement.ACTIONS),
        "government_payoffs": A.tolist(),
        "opposition_payoffs": B.tolist(),
        "engage_engage_is_equilibrium": bool(pure["engage_engage_equilibrium"]),
        "government_stall_best_response_to_engage": bool(pure["government_stalls_vs_engage"]),
        "government_stalls_in_some_equilibrium": bool(stall_in_eq),
    }

    lottery = {k: float(getattr(res, k)) for k in ("evasion", "finance_offset", "bite", "hazard", "p", "p_hat", "p_O")}
    batna = {
        "government": {"perceived": float(res.batna_G), "objective": float(res.batna_G)},
        "opposition": {"perceived": float(res.batna_O), "objective": float(res.batna_O_objective),
                       "price": float(res.price_O)},
    }
    solutions = None
    if exists:
        solutions = {name: {k.split(".", 1)[1]: float(v) for k, v in sol.items() if k.startswith(name + ".")}
                     for name in agreement.SOLUTIONS}
    return Report(
        scenario=scenario,
        values=dict(scenario.values),
        lottery=lottery,
        batna=batna,
        zopa=zopa_intervals(res.zopa_low, res.zopa_high),
        margin=float(res.margin),
        margin_objective=float(res.margin_objective),
        verdict=verdict,
        binding=model.BINDING[int(res.binding)],
        compromise=x_c,
        solutions=solutions,
        game=game,
        equilibrium_result=eq,
        thresholds=thresholds.find_thresholds(scenario.values),
    )
