"""The parameter reference, generated from :data:`batna.parameters.PARAMETERS`.

Used by ``batna parameters`` and to write ``docs/reference/parameters.md``
(a test checks that the file in ``docs/`` is up to date).
"""

from __future__ import annotations

from ..parameters import PARAMETERS

__all__ = ["parameter_table"]


def parameter_table(fmt: str = "text") -> str:
    """Every parameter: key, symbol, unit, range, default, meaning; ``fmt`` is ``text`` or ``markdown``."""
    headers = ("key", "symbol", "unit", "range", "default", "meaning")
    rows = [(p.key, p.symbol, p.unit, p.range_text, f"{p.default:g}", p.meaning) for p in PARAMETERS]
    if fmt == "markdown":
        lines = ["# Parameter reference", "",
                 "Generated from `batna/parameters.py` by `batna parameters --format markdown`; "
                 "do not edit by hand.", "",
                 "| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(f"`{r[0]}`" if i == 0 else r[i] for i in range(len(r))) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}; choose text or markdown")
    w = [max(len(r[i]) for r in rows + [headers]) for i in range(len(headers) - 1)]
    out = ["  ".join(h.ljust(n) for h, n in zip(headers, w)) + "  " + headers[-1]]
    out += ["  ".join(c.ljust(n) for c, n in zip(r, w)) + "  " + r[-1] for r in rows]
    return "\n".join(out) + "\n"
