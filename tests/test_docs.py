"""The documentation stays true: generated pages, doctests, pasted CLI output, schema, tables.

* ``docs/reference/parameters.md`` and ``docs/reference/cli.md`` equal what
  ``docs/generate.py`` writes (regenerate with ``python docs/generate.py``);
* every ``>>>`` example in a fenced block of any ``docs/**/*.md`` page runs
  (one namespace per page, blocks in order);
* every ``console`` block's ``$ batna ...`` commands print what the page shows
  (a line ``...`` stands for omitted lines);
* every key of a real report JSON is documented in
  ``docs/reference/report-schema.md`` and every documented key exists;
* the margins in ``docs/explanation/scenarios.md`` match :func:`batna.analyse`.

The Sphinx build itself (``docs/build.sh``, warnings as errors) is run by CI,
not here, since it needs the ``docs`` extra.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import re
import shlex
import shutil
from pathlib import Path

import pytest

import batna
from batna import cli
from batna.scenario import bundled_scenarios

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts and "generated" not in p.parts)
FENCE = re.compile(r"^(?P<ind>[ ]*)(?P<tick>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=ind)(?P=tick)[ ]*$",
                   re.M | re.S)


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def _blocks(page: Path, kinds: tuple[str, ...]):
    """(line number, body) of the fenced blocks of ``page`` whose info string starts with one of ``kinds``."""
    text = page.read_text(encoding="utf-8")
    for m in FENCE.finditer(text):
        info = m.group("info").strip().split()
        if info and info[0] in kinds:
            ind = len(m.group("ind"))
            body = "\n".join(line[ind:] for line in m.group("body").splitlines())
            yield text.count("\n", 0, m.start()) + 2, body


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # --help, argparse errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue() + err.getvalue()


# --------------------------------------------------------------------------- generated pages


@pytest.mark.parametrize("rel", ["reference/parameters.md", "reference/cli.md"])
def test_generated_page_is_current(rel):
    expected = _generator().PAGES[rel]()
    assert (DOCS / rel).read_text(encoding="utf-8") == expected, \
        f"docs/{rel} is out of date: run `python docs/generate.py`"


def test_parameter_page_equals_cli_output():
    code, out = _run_cli(["parameters", "--format", "markdown"])
    assert code == 0
    assert (DOCS / "reference/parameters.md").read_text(encoding="utf-8") == out


def test_parameter_page_lists_every_parameter_once():
    text = (DOCS / "reference/parameters.md").read_text(encoding="utf-8")
    keys = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, re.M)
    assert sorted(keys) == sorted(p.key for p in batna.parameters.PARAMETERS)


def test_cli_page_documents_every_command():
    text = (DOCS / "reference/cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `batna ([a-z-]+)`", text, re.M))
    documented |= set(re.findall(r"`batna ([a-z-]+)`", text))
    commands = set(cli.COMMANDS) | {m.NAME for m in cli._extensions()}
    assert commands <= documented


# --------------------------------------------------------------------------- examples in pages

DOCTEST_PAGES = [p for p in PAGES if any(">>>" in b for _, b in _blocks(p, ("python", "pycon")))]
CONSOLE_PAGES = [p for p in PAGES if any(True for _ in _blocks(p, ("console",)))]


def _sandbox(tmp_path, monkeypatch):
    """Run a page's examples in a scratch directory holding a copy of docs/ (examples write files)."""
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("_build", "generated"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("page", DOCTEST_PAGES, ids=_rel)
def test_doctests(page, monkeypatch, tmp_path):
    _sandbox(tmp_path, monkeypatch)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict = {}
    tried = 0
    for line, body in _blocks(page, ("python", "pycon")):
        if ">>>" not in body:
            continue
        test = parser.get_doctest(body, globs, _rel(page), str(page), line - 1)
        out = io.StringIO()
        result = runner.run(test, out=out.write, clear_globs=False)
        tried += result.attempted
        assert result.failed == 0, out.getvalue()
    assert tried > 0


def _console_commands(body: str):
    """(command, expected output) pairs of one console block."""
    cmds: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            cmds.append((line[2:], []))
        elif cmds:
            cmds[-1][1].append(line)
    return [(c, "\n".join(o).rstrip("\n") + "\n" if o else "") for c, o in cmds]


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=_rel)
def test_console_blocks(page, monkeypatch, tmp_path):
    _sandbox(tmp_path, monkeypatch)
    monkeypatch.setenv("COLUMNS", "100")
    checker = doctest.OutputChecker()
    n = 0
    for line, body in _blocks(page, ("console",)):
        for cmd, want in _console_commands(body):
            argv = shlex.split(cmd)
            assert argv[0] == "batna", f"{_rel(page)}:{line}: console blocks may only run batna: {cmd}"
            code, got = _run_cli(argv[1:])
            got = "\n".join(line.rstrip() for line in got.splitlines()) + "\n"
            want = re.sub(r"^\.\.\.\n", "...", want, flags=re.M)  # "..." lines: any lines
            ok = checker.check_output(want, got, doctest.ELLIPSIS)
            assert ok, f"{_rel(page)}:{line}: `{cmd}` (exit {code}) printed\n{got}\nbut the page shows\n{want}"
            n += 1
    assert n > 0


# --------------------------------------------------------------------------- report schema

# Children whose names are data, not schema: written as <placeholder> in the page.
_DYNAMIC = {"parameters": "<key>", "solutions": "<solution>"}
_FREE_FORM = {"scenario.meta", "scenario.overrides"}


def _paths(obj, prefix: str = "") -> set[str]:
    """Documented-style key paths of a report dict (lists as ``[]``)."""
    out: set[str] = set()
    if prefix in _FREE_FORM:
        return out
    if isinstance(obj, dict):
        for k, v in obj.items():
            name = _DYNAMIC.get(prefix, k)
            path = f"{prefix}.{name}" if prefix else name
            out.add(path)
            out |= _paths(v, path)
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, (dict, list)):
                out |= _paths(v, prefix + "[]")
    return out


def _schema_paths() -> set[str]:
    text = (DOCS / "reference/report-schema.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \|", text, re.M))


@pytest.fixture(scope="module")
def report_dicts():
    names = ["2019-barbados", "counterfactual-no-cuban-support"]
    ds = [batna.analyse(batna.load_scenario(n)).to_dict() for n in names]
    ds.append(batna.analyse(batna.load_scenario("2019-barbados", ["cuba.security=0.3"])).to_dict())
    return ds


def test_report_schema_documents_every_key(report_dicts):
    real = set().union(*(_paths(d) for d in report_dicts))
    documented = _schema_paths()
    assert real - documented == set(), "keys missing from docs/reference/report-schema.md"
    assert documented - real == set(), "documented keys that no report has"


def test_report_schema_top_level_keys(report_dicts):
    documented = {p for p in _schema_paths() if "." not in p and "[" not in p}
    assert documented == set(report_dicts[0])


def test_report_schema_version_matches():
    text = (DOCS / "reference/report-schema.md").read_text(encoding="utf-8")
    assert f"schema_version` is `\"{batna.report.SCHEMA_VERSION}\"`" in text


# --------------------------------------------------------------------------- scenario table


def _scenario_rows() -> dict[str, list[str]]:
    text = (DOCS / "explanation/scenarios.md").read_text(encoding="utf-8")
    start = text.index("<!-- scenario-table -->")
    rows = {}
    header = None
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if header:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= set("-: "):
            rows[cells[0].strip("`")] = dict(zip(header, cells))
    return rows


def test_scenario_table_matches_model():
    rows = _scenario_rows()
    assert set(rows) == {n.split("/", 1)[1] for n in bundled_scenarios()}
    for name, row in rows.items():
        r = batna.analyse(batna.load_scenario(name))
        assert float(row["margin"]) == pytest.approx(round(r.margin, 3), abs=1e-9), name
        assert float(row["margin (objective)"]) == pytest.approx(round(r.margin_objective, 3), abs=1e-9), name
        assert row["B_G"] == f"{r.batna['government']['perceived']:.3f}", name
        assert row["B_O"] == f"{r.batna['opposition']['perceived']:.3f}", name
        assert row["ZOPA"] == ("yes" if r.zopa_exists else "no"), name
        assert row["binding"] == r.binding, name
        ee = r.game["engage_engage_is_equilibrium"]
        assert row["(Engage, Engage) eq."] == ("yes" if ee else "no"), name
        stall = r.game["government_stall_best_response_to_engage"]
        assert row["gov. stalls"] == ("yes" if stall else "no"), name
