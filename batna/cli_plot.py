"""``batna plot``: publication figures of a scenario, each with its data as CSV.

Registered in :data:`batna.cli.EXTENSIONS`; ``batna analyse --plot`` calls
:func:`plot_frontier_for` to add the frontier figure next to an analysis.
Needs matplotlib (``pip install 'batna[plot]'``); without it the command
exits with status 2 and says how to install it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ScenarioError
from .figures import FORMATS, KINDS, figure_data, require_matplotlib, save_figure
from .cli_uncertainty import positive_int, seed_int
from .figures.data import DEFAULT_X, DEFAULT_Y, SOBOL_N, SOBOL_SEED, parse_axis
from .scenario import DEFAULT_SCENARIO, load_scenario

NAME = "plot"

EXAMPLES = f"""kinds:
{chr(10).join(f"  {k:<11} {v}" for k, v in KINDS.items())}

examples:
  batna plot 2019-barbados --kind frontier                 # 2019-barbados-frontier.png + .csv
  batna plot 2019-barbados --kind batna-bars --format all  # .png, .svg and .pdf
  batna plot 2019-barbados --kind heatmap --x russia.finance=0:20:81 --y us.secondary_sanctions=0:1:41
  batna plot 2019-barbados --kind rounds --output figs/rounds.pdf
  batna plot 2019-barbados-uncertain --kind tornado
  batna plot 2019-barbados-uncertain --kind sobol -n 1024 --seed 7
  batna plot my-scenario.toml --kind frontier --set us.relief=0.8 --output relief
"""


def add_parser(subparsers, common=None) -> argparse.ArgumentParser:
    """Add ``plot`` to the ``batna`` subcommands (``common`` is unused: plot has its own --format)."""
    p = subparsers.add_parser(
        NAME, help="draw a publication figure (PNG/SVG/PDF) and save its data as CSV",
        description="Draw one figure of a scenario as PNG (200 dpi), SVG and/or PDF, and write the "
                    "numbers it shows to <stem>.csv beside it.  Needs matplotlib "
                    "(pip install 'batna[plot]').",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario file or bundled name (default: {DEFAULT_SCENARIO})")
    p.add_argument("--kind", "-k", required=True, choices=tuple(KINDS), help="figure kind (see below)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set russia.finance=5 (repeatable)")
    p.add_argument("--output", "-o", metavar="STEM|FILE",
                   help="output path without extension, or FILE.png/.svg/.pdf "
                        "(default: <scenario>-<kind> in the current directory)")
    p.add_argument("--format", "-f", dest="formats", action="append", choices=(*FORMATS, "all"),
                   help="figure format (repeatable; 'all' = png, svg and pdf; default: png, "
                        "or the extension of --output)")
    p.add_argument("--x", metavar="KEY=LOW:HIGH:N",
                   help=f"heatmap only: parameter on the horizontal axis (default: {DEFAULT_X})")
    p.add_argument("--y", metavar="KEY=LOW:HIGH:N",
                   help=f"heatmap only: parameter on the vertical axis (default: {DEFAULT_Y})")
    p.add_argument("-n", type=positive_int, metavar="N",
                   help=f"sobol only: base samples, a power of 2; N (D + 2) model runs (default: {SOBOL_N})")
    p.add_argument("--seed", type=seed_int, metavar="S",
                   help=f"sobol only: seed of the Sobol' sequence and the bootstrap, a positive integer "
                        f"(default: {SOBOL_SEED})")
    return p


def resolve_output(output: str | None, formats: list[str] | None, default_stem: str) -> tuple[Path, list[str]]:
    """The output stem and the list of figure formats from ``--output`` and ``--format``.

    ``FILE.png`` (``.svg``, ``.pdf``) sets both the stem and the format; any
    other path is a stem.  ``--format`` values are de-duplicated in order and
    ``all`` stands for every format.  A ``--format`` that contradicts the
    extension of ``--output`` is an error.
    """
    fmts: list[str] = []
    for f in formats or []:
        for g in (FORMATS if f == "all" else (f,)):
            if g not in fmts:
                fmts.append(g)
    if output is None:
        return Path(default_stem), fmts or ["png"]
    path = Path(output)
    ext = path.suffix.lower().lstrip(".")
    if ext == "csv":
        raise ScenarioError(f"<command line>: --output {output!r}: the CSV is always written beside the figure; "
                            "give a stem or a .png/.svg/.pdf file")
    if ext in FORMATS:
        if fmts and fmts != [ext]:
            raise ScenarioError(f"<command line>: --output {output!r} is a .{ext} file but --format asks for "
                                f"{', '.join(fmts)}; give a stem (no extension) to write several formats")
        return path.with_suffix(""), [ext]
    return path, fmts or ["png"]


def _stem_name(scenario_name: str) -> str:
    return scenario_name.rsplit("/", 1)[-1]


def run(args) -> int:
    """Draw and save the figure; return 0 (user errors raise ScenarioError -> exit 2)."""
    require_matplotlib()
    if args.kind != "heatmap" and (args.x or args.y):
        raise ScenarioError(f"<command line>: --x/--y apply only to --kind heatmap (got --kind {args.kind})")
    if args.kind != "sobol" and (args.n is not None or args.seed is not None):
        raise ScenarioError(f"<command line>: -n/--seed apply only to --kind sobol (got --kind {args.kind})")
    scenario = load_scenario(args.scenario, args.overrides)
    stem, fmts = resolve_output(args.output, args.formats, f"{_stem_name(scenario.name)}-{args.kind}")
    x = parse_axis(args.x or DEFAULT_X, "--x") if args.kind == "heatmap" else None
    y = parse_axis(args.y or DEFAULT_Y, "--y") if args.kind == "heatmap" else None
    data = figure_data(args.kind, scenario, x=x, y=y, n=args.n, seed=args.seed)
    written = save_figure(data, stem, fmts)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    print(f"wrote {_manifest(args, scenario, written, stem, fmts)}", file=sys.stderr)
    return 0


def _output_index(argv: list[str]) -> int | None:
    """Index of the argv entry holding ``--output``'s value (``--output X``, ``--output=X``, ``-oX``, ``--out X``)."""
    for i, a in enumerate(argv):
        if a == "--":
            return None
        name = a.split("=", 1)[0]
        if a.startswith("--") and len(name) > 2 and "--output".startswith(name):
            return i if "=" in a else i + 1
        if a.startswith("-o") and not a.startswith("--"):
            return i if len(a) > 2 else i + 1
    return None


def _manifest(args, scenario, written: list[Path], stem: Path, fmts: list[str]) -> Path:
    """Write the run manifest next to the first figure (docs/reproducibility.md); return its path.

    Without ``--output`` the recorded command gets ``--output STEM`` (the
    default stem), so that ``batna reproduce`` can redirect every file.  The
    ``rounds`` figure also reads every bundled round: they are recorded as inputs.
    """
    from .figures.data import round_names
    from .provenance import write_manifest

    argv = list(args.argv)
    index = _output_index(argv) if args.output is not None else None
    if index is None:
        argv += ["--output", str(stem)]
        index = len(argv) - 1
    scenarios = [scenario]
    if args.kind == "rounds":
        hist, cf = round_names()
        scenarios += [s for s in map(load_scenario, hist + cf)
                      if not (s.name == scenario.name and s.values == scenario.values)]
    extra = {"kind": args.kind, "formats": fmts}
    if args.kind == "heatmap":
        extra.update(x=args.x or DEFAULT_X, y=args.y or DEFAULT_Y)
    return write_manifest(written, argv, scenarios, extra=extra, output_args=[index])


def plot_frontier_for(report, output: str | None = None) -> list[Path]:
    """``batna analyse --plot``: write ``<stem>-frontier.png`` and ``.csv`` for an analysed report.

    The stem is ``--output`` without its extension, or the scenario's name in
    the current directory.
    """
    require_matplotlib()
    base = Path(output).with_suffix("") if output else Path(_stem_name(report.scenario.name))
    stem = base.with_name(f"{base.name}-frontier")
    written = save_figure(figure_data("frontier", report.scenario, report=report), stem, ["png"])
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return written
