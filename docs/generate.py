"""Write the generated reference pages: ``python docs/generate.py``.

* ``reference/parameters.md`` -- exactly ``batna parameters --format markdown``;
* ``reference/cli.md`` -- every subcommand's description, arguments and
  examples, read from the argparse parser of :mod:`batna.cli` (so commands
  added through ``batna.cli.EXTENSIONS`` appear automatically).

``tests/test_docs.py`` fails when a committed page differs from what this
script would write.  The CLI page is built from the parser's structure rather
than from ``--help`` text, whose layout changes between Python versions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from batna import cli  # noqa: E402
from batna.io import atomic_write_text  # noqa: E402
from batna.render.parameters import parameter_table  # noqa: E402


def parameters_page() -> str:
    """The parameter reference, identical to ``batna parameters --format markdown``."""
    return parameter_table("markdown")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _argument_rows(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for act in parser._actions:
        if isinstance(act, argparse._HelpAction):
            continue
        if act.option_strings:
            name = ", ".join(act.option_strings)
            if act.nargs != 0:
                name += f" {act.metavar or act.dest.upper()}"
        else:
            name = act.metavar or act.dest
        notes = []
        if act.choices:
            notes.append("one of " + ", ".join(f"`{c}`" for c in act.choices))
        if act.default not in (None, [], argparse.SUPPRESS) and act.nargs != 0:
            notes.append(f"default `{act.default}`")
        if isinstance(act, argparse._AppendAction):
            notes.append("repeatable")
        help_ = (act.help or "").replace("%(prog)s", parser.prog)
        if "(default:" in help_:  # the help text already says it
            notes = [n for n in notes if not n.startswith("default")]
        rows.append(f"| `{_cell(name)}` | {_cell(help_)} | {_cell('; '.join(notes))} |")
    return rows


def cli_page() -> str:
    """The command-line reference, from the parser of :func:`batna.cli.main`."""
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    aliases: dict[int, list[str]] = {}
    for name, p in sub.choices.items():
        aliases.setdefault(id(p), []).append(name)
    out = ["# Command-line reference", "",
           "Generated from the argument parser in `batna/cli.py` by `python docs/generate.py`; "
           "do not edit by hand. `batna COMMAND --help` prints the same information.", "",
           f"`batna`: {parser.description}", "",
           "Global options: `--version` prints the version; `--help` the list of commands.", "",
           "Exit status: 0 on success, 2 for any error in the input (bad scenario, parameter, "
           "value or option; the message names the file, key, value and allowed range), "
           "130 when interrupted.", ""]
    seen = set()
    for choice in sub._choices_actions:
        p = sub.choices[choice.dest]
        if id(p) in seen:
            continue
        seen.add(id(p))
        names = aliases[id(p)]
        out += [f"## `batna {names[0]}`", ""]
        if len(names) > 1:
            out += ["Alias: " + ", ".join(f"`batna {n}`" for n in names[1:]) + ".", ""]
        out += [p.description or choice.help or "", ""]
        rows = _argument_rows(p)
        if rows:
            out += ["| argument | meaning | notes |", "|---|---|---|", *rows, ""]
        if p.epilog:
            out += ["```text", p.epilog.strip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


PAGES = {
    "reference/parameters.md": parameters_page,
    "reference/cli.md": cli_page,
}


def main() -> int:
    for rel, fn in PAGES.items():
        atomic_write_text(HERE / rel, fn())
        print(f"wrote docs/{rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
