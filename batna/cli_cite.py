"""``batna cite [SCENARIO]``: BibTeX for the package and for a scenario's sources.

The package entry carries the same title, authors and version as
``CITATION.cff`` (a test checks they agree).  The sources are those a
scenario's values cite (``Scenario.sources``) and those its ``[meta]`` table
lists (``meta.sources``), in the order of the registry
:data:`batna.sources.SOURCES`; ``assumption`` and unsourced values have no
entry, and a comment counts them.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from . import sources as _sources
from .io import atomic_write_text
from .scenario import load_scenario

NAME = "cite"

#: Package metadata shared with CITATION.cff.
TITLE = "batna: sponsors, BATNAs and the zone of possible agreement"
AUTHORS = ("The batna developers",)
BIBTEX_KEY = "batna"

EXAMPLES = """examples:
  batna cite                          # the package only
  batna cite 2019-barbados            # the package and the scenario's sources
  batna cite my-scenario.toml --output refs.bib
"""


def add_parser(subparsers, common):
    p = subparsers.add_parser(
        NAME, help="print BibTeX for batna and for a scenario's sources", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Print BibTeX entries: one for the batna package (this version) and, given a "
        "scenario, one for every source its values and [meta] table cite.")
    p.add_argument("scenario", nargs="?", help="scenario file or bundled name (optional)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (atomically) instead of standard output")


def package_bibtex(version: str = __version__) -> str:
    """BibTeX ``@misc`` entry for this version of the package (BibTeX and biblatex read it)."""
    authors = " and ".join("{" + a + "}" for a in AUTHORS)  # braces: a corporate author, not "Last, First"
    return (f"@misc{{{BIBTEX_KEY},\n  author = {{{authors}}},\n  title = {{{{{TITLE}}}}},\n"
            f"  version = {{{version}}},\n  note = {{Python package, version {version}}}\n}}")


def scenario_source_keys(scenario) -> list[str]:
    """Registry keys a scenario cites (values' sources and ``meta.sources``), in registry order."""
    used = set(scenario.sources.values()) | set(scenario.meta.get("sources", []))
    return [k for k in _sources.SOURCES if k in used]


def cite_text(scenario=None) -> str:
    """The BibTeX text ``batna cite`` prints (comments start with ``%``)."""
    parts = [f"% batna {__version__}: cite the package"
             + (f" and the sources of scenario {scenario.name}" if scenario is not None else "")]
    parts.append(package_bibtex())
    if scenario is not None:
        keys = scenario_source_keys(scenario)
        for k in keys:
            parts.append(_sources.SOURCES[k].bibtex)
        labels = {_sources.ASSUMPTION: "the modeller's assumptions", "unsourced": "set without a source"}
        counts = {text: sum(1 for v in scenario.sources.values() if v == label) for label, text in labels.items()}
        notes = [f"{n} parameter value(s) are {text}" for text, n in counts.items() if n]
        if notes:
            parts.append("% " + "; ".join(notes) + " (no entry)")
    return "\n\n".join(parts) + "\n"


def run(args) -> int:
    scenario = load_scenario(args.scenario) if args.scenario else None
    text = cite_text(scenario)
    if args.output:
        atomic_write_text(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
        from .provenance import write_manifest  # the run manifest (docs/reproducibility.md)

        print(f"wrote {write_manifest([args.output], args.argv, [scenario] if scenario else [])}",
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
