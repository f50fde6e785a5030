"""The report as a list of titled tables, shared by the text, Markdown and LaTeX renderers.

Only formatting happens here: every number comes from :meth:`batna.Report.to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Table", "tables", "num"]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def num(x, digits: int = 3) -> str:
    """A number for display (``-`` for None)."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}f}"


def _yn(b) -> str:
    return "yes" if b else "no"


def tables(d: dict) -> list[Table]:
    """Tables of the report dict ``d`` (from ``Report.to_dict()``), in display order."""
    out: list[Table] = []
    b = d["batna"]
    out.append(Table("BATNAs (full-control units)", ("side", "perceived", "objective", "agreement beats BATNA"), (
        ("government", num(b["government"]["perceived"]), num(b["government"]["objective"]),
         _yn(d["verdict"]["government"])),
        ("opposition", num(b["opposition"]["perceived"]), num(b["opposition"]["objective"]),
         _yn(d["verdict"]["opposition"])),
    )))
    zopa = " U ".join(f"[{num(a)}, {num(c)}]" for a, c in d["zopa"]) or "empty"
    out.append(Table("Zone of possible agreement", ("quantity", "value"), (
        ("ZOPA (transition depth x)", zopa),
        ("margin (perceived BATNAs)", num(d["margin"])),
        ("margin (objective BATNAs)", num(d["margin_objective"])),
        ("binding constraint", d["binding"]),
        ("opposition's price (BATNA + implementation risk)", num(b["opposition"]["price"])),
        ("best compromise depth" if d["solutions"] is None else "Nash depth", num(d["compromise_depth"])),
    )))
    lot = d["lottery"]
    out.append(Table("Conflict lottery", ("quantity", "value"), tuple(
        (label, num(lot[k])) for k, label in (
            ("evasion", "sanctions evasion e"), ("finance_offset", "finance offset f"),
            ("bite", "sanctions bite b"), ("hazard", "hazard h (1/yr)"),
            ("p", "P(breakdown), objective"), ("p_hat", "P(breakdown), opposition's view"),
            ("p_O", "P(breakdown) with US escalation, opposition's view"))
    )))
    if d["solutions"]:
        out.append(Table("Bargaining solutions", ("solution", "depth x", "gain government", "gain opposition"),
                         tuple((name.replace("_", "-"), num(s["x"]), num(s["gain_G"]), num(s["gain_O"]))
                               for name, s in d["solutions"].items())))
    eq = d["equilibria"]
    rows = []
    for i, e in enumerate(eq["equilibria"]):
        rows.append((str(i + 1), _strategy(e["row"], eq["actions"]), _strategy(e["column"], eq["actions"]),
                     num(e["payoffs"][0]), num(e["payoffs"][1])))
    title = "Engagement game: extreme equilibria" + (" (degenerate game)" if eq["degenerate"] else "")
    out.append(Table(title, ("#", "government", "opposition", "payoff gov.", "payoff opp."), tuple(rows)))
    out.append(Table("Engagement game: summary", ("question", "answer"), (
        ("(Engage, Engage) is an equilibrium", _yn(eq["engage_engage_is_equilibrium"])),
        ("Stall is the government's best response to Engage", _yn(eq["government_stall_best_response_to_engage"])),
        ("the government stalls in some equilibrium", _yn(eq["government_stalls_in_some_equilibrium"])),
        *((f"equilibrium set {i + 1}", line) for i, line in enumerate(eq["description"])),
    )))
    rows = []
    for t in d["thresholds"]:
        flips = "; ".join(f"{num(f['value'])} ({f['direction']})" for f in t["flips"]) or "none in range"
        rows.append((t["parameter"], num(t["current"]), flips, num(t["distance"])))
    out.append(Table("Thresholds: where the verdict flips (others held fixed)",
                     ("parameter", "current", "flips at", "move to nearest"), tuple(rows)))
    return out


def _strategy(p, actions) -> str:
    parts = [a if abs(w - 1) < 1e-12 else f"{w:.3g} {a}" for a, w in zip(actions, p) if w > 0]
    return " + ".join(parts)
