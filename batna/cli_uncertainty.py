"""Shared pieces of ``batna montecarlo`` and ``batna sensitivity``: options and text views.

The subcommands themselves live in :mod:`batna.cli_montecarlo` and
:mod:`batna.cli_sensitivity` (one registered name per module).  The text
views read the results' ``to_dict()`` and compute nothing of their own; JSON
is :func:`batna.render.render_json` (sorted keys, so byte-identical for equal
results).
"""

from __future__ import annotations

import argparse
import json
import sys

from .io import atomic_write_text
from .render import render_json

__all__ = ["add_common", "positive_int", "resolve_seed", "emit", "montecarlo_text", "sensitivity_text"]

UNCERTAINTY_FORMATS = ("text", "json")


def _int_at_least(minimum: int):
    """An argparse type: an integer >= ``minimum`` (argparse turns the error into exit status 2)."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be >= {minimum}")
        return v

    return parse


positive_int = _int_at_least(1)
seed_int = _int_at_least(0)


def add_common(p: argparse.ArgumentParser) -> None:
    """SCENARIO, --set, --seed, --format (text|json) and --output."""
    p.add_argument("scenario", help="scenario file or bundled name")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="pin a parameter to a value (drops its distribution), e.g. --set russia.finance=5")
    p.add_argument("--seed", type=seed_int, default=None, metavar="S",
                   help="random seed, a non-negative integer (default: fresh entropy, printed on "
                        "standard error and recorded in the run manifest)")
    p.add_argument("--format", choices=UNCERTAINTY_FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def resolve_seed(args, fresh) -> tuple[int, list[str]]:
    """The seed of a run and the command line that repeats it.

    ``args.seed`` if the user gave ``--seed``; otherwise ``fresh()`` (new OS
    entropy), printed on standard error and appended to the recorded argv as
    ``--seed N`` so that ``batna reproduce`` repeats the run.
    """
    if args.seed is not None:
        return args.seed, list(args.argv)
    seed = int(fresh())
    print(f"batna: no --seed given: using --seed {seed} (fresh entropy); pass it to repeat this run",
          file=sys.stderr)
    return seed, list(args.argv) + ["--seed", str(seed)]


def emit(result, fmt: str, output: str | None, text_fn, *, argv=None, scenario=None, seed=None) -> None:
    """Write the result as text or JSON to ``output`` (with its run manifest) or standard output.

    The JSON gains a ``provenance`` member, :func:`batna.provenance.embedded_record`
    of ``scenario`` and ``seed`` (machine-independent, so the bytes stay equal
    on any machine).  With ``output``, the run manifest ``<output>.manifest.json``
    records ``argv`` (which must repeat the run: see :func:`resolve_seed`).
    """
    from . import provenance

    if fmt == "json":
        d = result.to_dict()
        if scenario is not None:
            d["provenance"] = provenance.embedded_record([scenario], seed=seed)
        text = json.dumps(d, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        text = text_fn(result)
    if output:
        atomic_write_text(output, text)
        print(f"wrote {output}", file=sys.stderr)
        if argv is not None:
            m = provenance.write_manifest([output], argv, [scenario] if scenario is not None else [], seed=seed)
            print(f"wrote {m}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _g(x, digits=4) -> str:
    return "n/a" if x is None else f"{x:.{digits}g}"


def _table(headers, rows) -> list[str]:
    w = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    out = ["  ".join(str(h).ljust(n) for h, n in zip(headers, w)).rstrip()]
    out += ["  ".join(str(c).ljust(n) for c, n in zip(r, w)).rstrip() for r in rows]
    return out


def _dist_text(d: dict) -> str:
    args = ", ".join(f"{k}={v if isinstance(v, list) else _g(v)}" for k, v in d.items() if k != "dist")
    return f"{d['dist']}({args})"


_QS = ("5", "25", "50", "75", "95")


def _summary_row(name, s):
    return [name, s["n"], _g(s["mean"]), _g(s["se_mean"], 2), _g(s["sd"])] + [_g(s["quantiles"][q]) for q in _QS]


def montecarlo_text(result) -> str:
    d = result.to_dict()
    pz, pe = d["p_zopa"], d["p_engage_engage"]
    lines = [f"Monte Carlo: {d['scenario']}  ({d['n']} draws, seed entropy {d['seed_entropy']})", "",
             "Uncertain parameters", "--------------------"]
    lines += _table(["parameter", "distribution"], [[k, _dist_text(v)] for k, v in d["distributions"].items()])
    lines += ["", "Probabilities (+/- Monte Carlo standard error)", "----------------------------------------------",
              f"P(ZOPA exists)                        {_g(pz['value'])} +/- {_g(pz['se'], 2)}",
              f"P((Engage, Engage) is an equilibrium) {_g(pe['value'])} +/- {_g(pe['se'], 2)}",
              "", "Distributions (full-control units; depth x in [0, 1])",
              "-----------------------------------------------------"]
    headers = ["quantity", "n", "mean", "se(mean)", "sd"] + [f"q{q}" for q in _QS]
    rows = [_summary_row("margin", d["margin"])]
    rows += [_summary_row(f"{k} | ZOPA", s) for k, s in d["outcomes_given_zopa"].items()]
    lines += _table(headers, rows)
    lines += ["", "Bargaining outcomes are conditional on a ZOPA (n = draws with one); "
              "quantile standard errors are in the JSON output."]
    return "\n".join(lines) + "\n"


def sensitivity_text(result) -> str:
    d = result.to_dict()
    src = ("the scenario's [uncertainty] table" if d["source"] == "uncertainty" else
           "every sponsor parameter, uniform over its valid range (no [uncertainty] table)"
           if d["source"] == "default" else "given distributions")
    lines = [f"Sensitivity ({d['method']}): {d['scenario']}  (n = {d['n']}, {d['runs']} model runs, seed {d['seed']})",
             f"Parameters: {src}", ""]
    for out, rows in d["indices"].items():
        title = {"margin": "margin", "zopa_exists": "ZOPA indicator (P(ZOPA))"}.get(out, out)
        head = f"{'Sobol indices' if d['method'] == 'sobol' else 'Morris screening'} of the {title}"
        lines += [head, "-" * len(head)]
        if out in d["notes"]:
            lines.append(f"({d['notes'][out]})")
        if d["method"] == "sobol":
            if out not in d["notes"]:
                lines += _table(["rank", "parameter", "S1", "+/-", "ST", "+/-"],
                                [[i + 1, r["key"], _g(r["S1"], 3), _g(r["S1_conf"], 2), _g(r["ST"], 3),
                                  _g(r["ST_conf"], 2)] for i, r in enumerate(rows)])
        else:
            lines += _table(["rank", "parameter", "mu*", "+/-", "mu", "sigma"],
                            [[i + 1, r["key"], _g(r["mu_star"], 3), _g(r["mu_star_conf"], 2), _g(r["mu"], 3),
                              _g(r["sigma"], 3)] for i, r in enumerate(rows)])
        lines.append("")
    head = f"Tornado: margin at each parameter's low/high end (base margin {_g(d['base_margin'])})"
    lines += [head, "-" * len(head)]
    lines += _table(["parameter", "low", "high", "margin(low)", "margin(high)", "swing"],
                    [[r["key"], _g(r["low"]), _g(r["high"]), _g(r["margin_low"]), _g(r["margin_high"]),
                      _g(r["swing"])] for r in d["tornado"]])
    return "\n".join(lines) + "\n"
