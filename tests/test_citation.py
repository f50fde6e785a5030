"""Tests of CITATION.cff and ``batna cite``.

``tests/data/cff-schema-1.2.0.json`` is a verbatim copy of the Citation File
Format 1.2.0 JSON schema (``$id`` https://citation-file-format.github.io/1.2.0/schema.json;
CC-BY-4.0, The Citation File Format authors), taken from the file
``cffconvert/schemas/1.2.0/schema.json`` of the ``cffconvert`` 2.0.0 wheel on
PyPI.  We validate with ``jsonschema`` rather than ``cffconvert`` because
cffconvert 2.0.0 pins ``jsonschema<4``.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

import batna
from batna import sources as _sources
from batna.cli_cite import cite_text

ROOT = Path(__file__).resolve().parent.parent  # the repository (tests may run against an installed batna)
SCENARIOS = ROOT / "scenarios" / "venezuela"

from test_provenance import batna_cli, batna_main  # noqa: E402  (shared CLI runners)


@pytest.fixture(scope="module")
def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((Path(__file__).parent / "data" / "cff-schema-1.2.0.json").read_text())
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_citation_cff_is_valid_cff_1_2_0(cff, validator):
    assert cff["cff-version"] == "1.2.0"
    assert list(validator.iter_errors(cff)) == []


@pytest.mark.parametrize("breakage", ["no authors", "bad version type", "unknown key"])
def test_schema_check_rejects_broken_files(cff, validator, breakage):
    bad = copy.deepcopy(cff)
    if breakage == "no authors":
        del bad["authors"]
    elif breakage == "bad version type":
        bad["version"] = ["0.1.0"]
    else:
        bad["homepage"] = "x"
    assert list(validator.iter_errors(bad)) != []


def test_versions_agree(cff):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert str(cff["version"]) == batna.__version__ == pyproject["project"]["version"]


def test_package_entry_matches_cff(cff):
    text = cite_text()
    entry = _entries(text)["batna"]
    assert entry["type"] == "misc"
    assert f"version = {{{cff['version']}}}" in entry["body"]
    assert cff["title"] in entry["body"]
    for a in cff["authors"]:
        assert a["name"] in entry["body"]


# --------------------------------------------------------------------------- BibTeX


def _entries(text: str) -> dict[str, dict]:
    """Split BibTeX text into entries, checking each is ``@type{key, ...}`` with balanced braces."""
    out = {}
    for chunk in re.split(r"\n(?=@)", text):
        body = "\n".join(ln for ln in chunk.splitlines() if not ln.startswith("%")).strip()
        if not body:
            continue
        m = re.match(r"@(\w+)\{([^,\s{}]+),", body)
        assert m, f"not a BibTeX entry: {body[:40]!r}"
        depth = 0
        for ch in body:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0, f"unbalanced braces in {m.group(2)}"
        assert depth == 0 and body.endswith("}"), f"unbalanced braces in {m.group(2)}"
        assert m.group(2) not in out, f"duplicate key {m.group(2)}"
        out[m.group(2)] = {"type": m.group(1), "body": body}
    return out


def _cited_in_files(*names) -> set[str]:
    """Source keys cited by the TOML files themselves (read independently of batna.scenario)."""
    keys = set()
    for name in names:
        data = tomllib.loads((SCENARIOS / name).read_text())
        keys |= set(data.get("sources", {}).values()) | set(data.get("meta", {}).get("sources", []))
    return keys - {_sources.ASSUMPTION}


@pytest.mark.parametrize("scenario, files", [
    ("2019-barbados", ("2019-barbados.toml", "_common.toml")),
    ("counterfactual-no-sponsors", None),
])
def test_cite_scenario_lists_package_and_its_sources(scenario, files):
    r = batna_main("cite", scenario, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    entries = _entries(r.stdout)
    if files is None:  # follow the extends chain by hand
        files, name = [], f"{scenario}.toml"
        while name:
            files.append(name)
            name = tomllib.loads((SCENARIOS / name).read_text()).get("extends")
            name = name if name is None or name.endswith(".toml") else f"{name.rsplit('/', 1)[-1]}.toml"
    expected = _cited_in_files(*files)
    assert expected, "the test scenario should cite something"
    assert set(entries) == {"batna"} | expected
    for k in expected:
        assert _sources.SOURCES[k].bibtex in r.stdout


def test_cite_without_scenario_is_the_package_alone():
    r = batna_main("cite", cwd=ROOT)
    assert r.returncode == 0
    assert set(_entries(r.stdout)) == {"batna"}


def test_cite_through_console_script_writes_a_file(tmp_path):
    r = batna_cli("cite", "2019-barbados", "--output", "refs.bib", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "@misc{batna," in (tmp_path / "refs.bib").read_text()


def test_cite_unknown_scenario_is_a_clear_error(tmp_path):
    r = batna_main("cite", "no-such-scenario", cwd=tmp_path)
    assert r.returncode == 2 and "no-such-scenario" in r.stderr
