"""Two reports side by side: BATNAs, margin, verdict and the parameters that differ."""

from __future__ import annotations

import json

from .tables import Table, num

__all__ = ["comparison", "render_comparison"]


def comparison(ra, rb) -> dict:
    """JSON-ready comparison of two reports."""
    a, b = ra.to_dict(), rb.to_dict()
    rows = {
        "government BATNA": (a["batna"]["government"]["perceived"], b["batna"]["government"]["perceived"]),
        "opposition BATNA": (a["batna"]["opposition"]["perceived"], b["batna"]["opposition"]["perceived"]),
        "opposition BATNA (objective)": (a["batna"]["opposition"]["objective"], b["batna"]["opposition"]["objective"]),
        "margin": (a["margin"], b["margin"]),
    }
    differ = {k: [a["parameters"][k]["value"], b["parameters"][k]["value"]]
              for k in a["parameters"] if a["parameters"][k]["value"] != b["parameters"][k]["value"]}
    return {
        "a": a["scenario"]["name"], "b": b["scenario"]["name"],
        "quantities": {k: {"a": x, "b": y, "change": None if x is None or y is None else y - x}
                       for k, (x, y) in rows.items()},
        "agreement": {"a": a["verdict"]["agreement"], "b": b["verdict"]["agreement"]},
        "binding": {"a": a["binding"], "b": b["binding"]},
        "engage_engage_is_equilibrium": {"a": a["equilibria"]["engage_engage_is_equilibrium"],
                                         "b": b["equilibria"]["engage_engage_is_equilibrium"]},
        "parameters_differ": differ,
    }


def _tables(c: dict) -> list[Table]:
    yn = lambda v: "yes" if v else "no"  # noqa: E731
    q = tuple((k, num(v["a"]), num(v["b"]), num(v["change"])) for k, v in c["quantities"].items())
    q += (("agreement possible", yn(c["agreement"]["a"]), yn(c["agreement"]["b"]), ""),
          ("binding constraint", c["binding"]["a"], c["binding"]["b"], ""),
          ("(Engage, Engage) is an equilibrium", yn(c["engage_engage_is_equilibrium"]["a"]),
           yn(c["engage_engage_is_equilibrium"]["b"]), ""))
    p = tuple((k, f"{x:g}", f"{y:g}", f"{y - x:+g}") for k, (x, y) in c["parameters_differ"].items())
    return [Table("Comparison", ("quantity", "A", "B", "B - A"), q),
            Table("Parameters that differ", ("parameter", "A", "B", "B - A"), p or (("(none)", "", "", ""),))]


def render_comparison(ra, rb, fmt: str = "text") -> str:
    c = comparison(ra, rb)
    if fmt == "json":
        return json.dumps(c, sort_keys=True, indent=2, allow_nan=False) + "\n"
    head = f"A = {c['a']}   B = {c['b']}"
    tabs = _tables(c)
    if fmt == "markdown":
        out = [f"**{head}**", ""]
        for t in tabs:
            out += [f"## {t.title}", "", "| " + " | ".join(t.headers) + " |", "|" + "|".join("---" for _ in t.headers) + "|"]
            out += ["| " + " | ".join(r) + " |" for r in t.rows] + [""]
        return "\n".join(out)
    if fmt == "latex":
        from . import _tex
        out = [f"% {_tex(head)}"]
        for t in tabs:
            out += [r"\begin{tabular}{llll}", r"\toprule", " & ".join(_tex(h) for h in t.headers) + r" \\", r"\midrule"]
            out += [" & ".join(_tex(x) for x in r) + r" \\" for r in t.rows] + [r"\bottomrule", r"\end{tabular}", ""]
        return "\n".join(out)
    out = [head]
    for t in tabs:
        w = [max(len(str(x)) for x in col) for col in zip(t.headers, *t.rows)]
        out += ["", t.title, "-" * len(t.title), "  ".join(h.ljust(n) for h, n in zip(t.headers, w)).rstrip()]
        out += ["  ".join(str(x).ljust(n) for x, n in zip(r, w)).rstrip() for r in t.rows]
    return "\n".join(out) + "\n"
