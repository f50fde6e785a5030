"""Renderers: the report as text, JSON, Markdown or LaTeX.

Renderers read a :class:`batna.Report` (through ``to_dict()``) and compute
nothing of their own.
"""

from __future__ import annotations

import json

from .tables import Table, tables

__all__ = ["FORMATS", "render", "render_text", "render_json", "render_markdown", "render_latex"]

FORMATS = ("text", "json", "markdown", "latex")


def render_json(report) -> str:
    """Stable JSON: sorted keys, fixed separators, floats rounded to 12 digits, newline at the end."""
    return json.dumps(report.to_dict(), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _widths(t: Table) -> list[int]:
    return [max(len(str(c)) for c in col) for col in zip(t.headers, *t.rows)]


def render_text(report) -> str:
    """The terminal view: the verdict line first, then aligned tables."""
    d = report.to_dict()
    lines = [report.headline, "", f"Scenario: {d['scenario']['title']} ({d['scenario']['name']})"]
    if d["scenario"]["overrides"]:
        lines.append("Overrides: " + ", ".join(f"{k}={v:g}" for k, v in d["scenario"]["overrides"].items()))
    for t in tables(d):
        w = _widths(t)
        lines += ["", t.title, "-" * len(t.title)]
        lines.append("  ".join(h.ljust(n) for h, n in zip(t.headers, w)).rstrip())
        for r in t.rows:
            lines.append("  ".join(str(c).ljust(n) for c, n in zip(r, w)).rstrip())
    return "\n".join(lines) + "\n"


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|")


def render_markdown(report) -> str:
    d = report.to_dict()
    out = [f"# {d['scenario']['title']}", "", f"**{report.headline}**", ""]
    for t in tables(d):
        out += [f"## {t.title}", "", "| " + " | ".join(map(_md_cell, t.headers)) + " |",
                "|" + "|".join("---" for _ in t.headers) + "|"]
        out += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in t.rows]
        out.append("")
    return "\n".join(out)


_LATEX_ESC = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
              "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def _tex(s: str) -> str:
    return "".join(_LATEX_ESC.get(c, c) for c in str(s))


def render_latex(report) -> str:
    """One ``table`` environment per section (booktabs rules)."""
    d = report.to_dict()
    out = [f"% batna {d['batna_version']} report: {_tex(d['scenario']['name'])}",
           f"% {_tex(report.headline)}", "% requires \\usepackage{booktabs}", ""]
    for t in tables(d):
        out += [r"\begin{table}[htbp]", r"\centering", f"\\caption{{{_tex(t.title)}}}",
                r"\begin{tabular}{" + "l" * len(t.headers) + "}", r"\toprule",
                " & ".join(_tex(h) for h in t.headers) + r" \\", r"\midrule"]
        out += [" & ".join(_tex(c) for c in r) + r" \\" for r in t.rows]
        out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(out)


def render(report, fmt: str = "text") -> str:
    """Render ``report`` in one of :data:`FORMATS`."""
    try:
        fn = {"text": render_text, "json": render_json, "markdown": render_markdown, "latex": render_latex}[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return fn(report)
