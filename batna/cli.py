"""The ``batna`` command line.

Every error caused by the user's input (a bad scenario, override or option)
is printed as one message without a traceback, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from . import parameters as _params
from .errors import BatnaError
from .io import atomic_write_text
from .render import FORMATS, render
from .report import analyse
from .scenario import DEFAULT_SCENARIO, bundled_scenarios, load_scenario, validate_file

EXIT_USAGE = 2

ANALYSE_EXAMPLES = """examples:
  batna analyse                                   # the bundled 2019 secondary-sanctions scenario
  batna analyse 2019-barbados
  batna analyse my-scenario.toml --set russia.finance=5 --set us.relief=0.5
  batna analyse 2019-barbados --format json --output barbados.json
"""
COMPARE_EXAMPLES = """examples:
  batna compare 2019-barbados 2019-secondary-sanctions
  batna compare 2019-barbados counterfactual-no-cuban-support --format markdown
"""
VALIDATE_EXAMPLES = """examples:
  batna validate my-scenario.toml      # lists every problem; exit status 2 if any
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line, exit 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"batna: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="batna", description="Sponsors, BATNAs and the zone of possible agreement "
                "in a political negotiation (Venezuela 2014-2019).",
                epilog="Run `batna COMMAND --help` for a command's options and examples.")
    p.add_argument("--version", action="version", version=f"batna {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    fmt = argparse.RawDescriptionHelpFormatter

    a = sub.add_parser("analyse", aliases=["analyze"], help="analyse one scenario", epilog=ANALYSE_EXAMPLES,
                       formatter_class=fmt, description="Analyse a scenario: BATNAs, ZOPA, margin, verdict, "
                       "bargaining solutions, engagement-game equilibria and thresholds.")
    a.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario file or bundled name (default: {DEFAULT_SCENARIO})")
    _common(a)
    a.add_argument("--plot", action="store_true",
                   help="also draw the frontier figure: <output stem or scenario>-frontier.png and .csv "
                        "(needs matplotlib)")

    c = sub.add_parser("compare", help="compare two scenarios side by side", epilog=COMPARE_EXAMPLES,
                       formatter_class=fmt, description="BATNAs, margin and verdict of two scenarios side by "
                       "side, and the parameters that differ.")
    c.add_argument("a", help="first scenario (file or bundled name)")
    c.add_argument("b", help="second scenario (file or bundled name)")
    _common(c)

    sub.add_parser("scenarios", help="list the bundled scenarios", description="List the bundled scenarios "
                   "with their one-line descriptions.", epilog="example:\n  batna scenarios", formatter_class=fmt)
    pp = sub.add_parser("parameters", help="list every parameter with unit, range and default",
                        description="Every model parameter: key, symbol, unit, valid range, default, meaning.",
                        epilog="examples:\n  batna parameters\n  batna parameters --format markdown",
                        formatter_class=fmt)
    pp.add_argument("--format", choices=("text", "markdown"), default="text",
                    help="output format (default: text; markdown is the docs' parameter reference)")
    v = sub.add_parser("validate", help="check a scenario file and report every problem",
                       epilog=VALIDATE_EXAMPLES, formatter_class=fmt,
                       description="Check a scenario file (and the files it extends); report all problems at once.")
    v.add_argument("file", help="scenario file or bundled name")
    for mod in _extensions():
        mod.add_parser(sub, _common)
    return p


#: Modules that add a subcommand: each defines ``NAME``, ``add_parser(subparsers, common)``
#: (``common`` adds --set/--format/--output) and ``run(args) -> int``.
EXTENSIONS: tuple[str, ...] = ("batna.cli_reproduce", "batna.cli_cite", "batna.cli_plot",
                              "batna.cli_montecarlo", "batna.cli_sensitivity",
                              "batna.cli_sweep")


def _extensions():
    import importlib

    return [importlib.import_module(m) for m in EXTENSIONS]


def _common(p):
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set russia.finance=5 (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def _emit(text: str, output: str | None) -> None:
    if output:
        atomic_write_text(output, text)
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_analyse(args) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    report = analyse(scenario)
    outputs = []
    if args.plot:
        from .cli_plot import plot_frontier_for

        outputs += [str(p) for p in plot_frontier_for(report, args.output)]
    _emit(render(report, args.format), args.output)
    if args.output:  # the run manifest, for `batna reproduce` (docs/reproducibility.md)
        from .provenance import write_manifest

        outputs.insert(0, args.output)
        print(f"wrote {write_manifest(outputs, args.argv, [scenario])}", file=sys.stderr)
    return 0


def cmd_compare(args) -> int:
    from .render.compare import render_comparison

    sa, sb = load_scenario(args.a, args.overrides), load_scenario(args.b, args.overrides)
    _emit(render_comparison(analyse(sa), analyse(sb), args.format), args.output)
    if args.output:  # the run manifest (docs/reproducibility.md)
        from .provenance import write_manifest

        print(f"wrote {write_manifest([args.output], args.argv, [sa, sb])}", file=sys.stderr)
    return 0


def cmd_scenarios(args) -> int:
    items = bundled_scenarios()
    w = max(len(n) for n in items)
    for name, desc in items.items():
        print(f"{name.ljust(w)}  {desc}")
    return 0


def cmd_parameters(args) -> int:
    from .render.parameters import parameter_table

    sys.stdout.write(parameter_table(args.format))
    return 0


def cmd_validate(args) -> int:
    errors = validate_file(args.file)
    if errors:
        print(f"{args.file}: {len(errors)} problem{'s' if len(errors) > 1 else ''}", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.file}: ok")
    return 0


COMMANDS = {"analyse": cmd_analyse, "analyze": cmd_analyse, "compare": cmd_compare,
            "scenarios": cmd_scenarios, "parameters": cmd_parameters, "validate": cmd_validate}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in run manifests
    commands = dict(COMMANDS)
    commands.update({m.NAME: m.run for m in _extensions()})
    try:
        return commands[args.command](args)
    except BatnaError as exc:
        print(f"batna: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("batna: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
