"""Tests of batna.provenance (run manifests) and ``batna reproduce``.

The end-to-end tests run on a copy of a bundled scenario in ``tmp_path``.  The
first two go through the real console script (``batna``, or ``python -m
batna`` if it is not installed) with ``PYTHONPATH`` pointing at the package
under test; the others call :func:`batna.cli.main` in-process (the same code
path without the ~1.5 s interpreter start-up per call).
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import batna
from batna import provenance as prov
from batna.scenario import load_scenario

from helpers import SCENARIOS, batna_cli, batna_main, sha256










def _record(tmp_path, run):
    """``batna analyse`` of a copy of 2019-barbados, JSON written to out/b.json with its manifest."""
    for name in ("2019-barbados.toml", "_common.toml"):
        shutil.copy(SCENARIOS / name, tmp_path / name)
    r = run("analyse", "2019-barbados.toml", "--format", "json", "--output", "out/b.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out" / "b.json"
    manifest = tmp_path / "out" / "b.json.manifest.json"
    assert out.is_file() and manifest.is_file()
    return tmp_path, out, manifest


@pytest.fixture
def recorded(tmp_path):
    return _record(tmp_path, batna_main)


@pytest.fixture
def recorded_cli(tmp_path):
    return _record(tmp_path, batna_cli)


def _reproduce(manifest, cwd, *options, run=batna_main):
    r = run("reproduce", manifest, *options, cwd=cwd)
    return r, r.stdout.strip().splitlines()


# --------------------------------------------------------------------------- end to end


def test_analyse_then_reproduce_is_identical_and_leaves_the_original_alone(recorded_cli):
    tmp, out, manifest = recorded_cli
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    r, lines = _reproduce(manifest, tmp, run=batna_cli)
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines[-1] == "reproduced: identical"
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before  # the re-run wrote elsewhere
    m = json.loads(manifest.read_text())
    assert m["outputs"][0]["sha256"] == sha256(out)
    assert m["outputs"][0]["bytes"] == out.stat().st_size


def test_reproduce_from_another_directory(recorded, tmp_path_factory):
    tmp, out, manifest = recorded
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    r, lines = _reproduce(manifest.resolve(), elsewhere)
    assert r.returncode == 0, r.stdout + r.stderr
    assert lines[-1] == "reproduced: identical"


def test_edited_parameter_is_reported_as_an_input_change(recorded_cli):
    tmp, out, manifest = recorded_cli
    path = tmp / "2019-barbados.toml"
    old = tomllib.loads(path.read_text())["russia"]["finance"]
    new = old + 3.0
    text = path.read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("finance ="))  # the [russia] table comes first
    assert text.index(line) > text.index("[russia]")
    path.write_text(text.replace(line, f"finance = {new}", 1))
    r, lines = _reproduce(manifest, tmp, "--max-differences", "1000", run=batna_cli)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "input changed: 2019-barbados.toml" in lines
    assert f"  parameter russia.finance: recorded {old:g}, now {new:g}" in lines
    params = [ln for ln in lines if ln.startswith("  parameter ")]
    assert len(params) == 1  # nothing else changed
    assert "not to the model" in lines[-1]
    # the recorded parameter value itself shows up in the JSON diff
    assert any(ln.startswith("  parameters.russia.finance.value:") for ln in lines)


def test_comment_only_edit_is_not_an_input_change(recorded):
    tmp, out, manifest = recorded
    path = tmp / "_common.toml"
    path.write_text("# a new comment\n\n" + path.read_text().replace(" = ", "   =   "))
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 0, r.stdout
    assert not any(ln.startswith("input changed") for ln in lines)


def _margin_edit(out: Path, delta: float) -> tuple[float, float]:
    doc = json.loads(out.read_text())
    old = doc["margin"]
    doc["margin"] = old + delta
    out.write_text(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
    return old, doc["margin"]


def test_tampered_output_content_is_reported_with_quantity(recorded):
    tmp, out, manifest = recorded
    old, new = _margin_edit(out, 0.25)
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 1, r.stdout
    assert any(ln.startswith("output differs: out/b.json") and "modified after the run" in ln for ln in lines)
    diff = [ln for ln in lines if ln.startswith("  margin:")]
    assert len(diff) == 1 and f"{old:.12g}" in diff[0] and f"{new:.12g}" in diff[0]
    worst = next(ln for ln in lines if "largest absolute difference" in ln)
    assert f"{abs(new - old):.6g} at margin" in worst


def test_non_reproducible_output_is_diffed_against_the_recorded_file(recorded):
    """A recorded output (consistent with its manifest) that the current code does not reproduce."""
    tmp, out, manifest = recorded
    old, new = _margin_edit(out, -0.125)
    m = json.loads(manifest.read_text())
    m["outputs"][0]["sha256"] = sha256(out)
    m["outputs"][0]["bytes"] = out.stat().st_size
    manifest.write_text(json.dumps(m))
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 1
    assert any(ln.startswith("output differs: out/b.json: sha256 recorded") for ln in lines)
    assert any(ln.startswith("  margin: recorded") and f"reproduced {old:.12g}" in ln for ln in lines)
    assert any(f"largest absolute difference: {abs(new - old):.6g} at margin" in ln for ln in lines)
    assert lines[-1] == "not reproduced: 1 of 1 output(s) differ"


def test_tampered_recorded_hash_is_reported(recorded):
    tmp, out, manifest = recorded
    m = json.loads(manifest.read_text())
    m["outputs"][0]["sha256"] = "0" * 64
    manifest.write_text(json.dumps(m))
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 1
    assert any(ln.startswith("output differs: out/b.json") and "000000000000" in ln for ln in lines)
    assert any("manifest was edited" in ln for ln in lines)


def test_software_version_differences_are_reported(recorded):
    tmp, out, manifest = recorded
    m = json.loads(manifest.read_text())
    m["software"]["numpy"] = "0.0.1"
    manifest.write_text(json.dumps(m))
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 0  # outputs still identical
    assert f"software differs: numpy: recorded 0.0.1, now {np.__version__}" in lines


def test_missing_input_file_is_a_clear_error(recorded):
    tmp, out, manifest = recorded
    (tmp / "_common.toml").unlink()
    r, _ = _reproduce(manifest, tmp)
    assert r.returncode == 2
    assert "missing" in r.stderr and "_common.toml" in r.stderr
    assert "Traceback" not in r.stderr


def test_not_a_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "x.json").write_text('{"a": 1}')
    r = batna_main("reproduce", "x.json", cwd=tmp_path)
    assert r.returncode == 2 and "not a batna run manifest" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- manifest contents


@pytest.fixture
def written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sc = load_scenario("2019-barbados", ["russia.finance=4"])
    out = tmp_path / "r.txt"
    out.write_bytes(b"some output\n")
    argv = ["analyse", "2019-barbados", "--set", "russia.finance=4", "--output", "r.txt"]
    return sc, out, argv


def test_manifest_fields(written):
    sc, out, argv = written
    path = prov.write_manifest([out.name], argv, [sc], seed=np.random.SeedSequence(12345), extra={"n": np.int64(3)})
    assert path.name == "r.txt.manifest.json"
    m = json.loads(path.read_text())
    assert m["format"] == "batna-run-manifest"
    assert m["software"]["batna"] == batna.__version__
    assert m["software"]["numpy"] == np.__version__
    assert m["software"]["python"] == platform.python_version()
    import nashpy
    import scipy

    assert m["software"]["scipy"] == scipy.__version__ and m["software"]["nashpy"] == nashpy.__version__
    assert m["platform"]["system"] == platform.system()
    assert m["command"]["argv"] == argv
    assert m["command"]["output_args"] == [{"index": 5, "prefix": "", "path": "r.txt", "kind": "file"}]
    assert m["outputs"][0]["sha256"] == hashlib.sha256(b"some output\n").hexdigest()
    s = m["scenarios"][0]
    assert s["values"] == sc.values and s["overrides"] == {"russia.finance": 4.0}
    assert [f["path"] for f in s["files"]] == list(sc.files)
    assert all(f["sha256"] == prov.canonical_toml_sha256(f["resolved"]) for f in s["files"])
    assert s["digest"] == sc.digest()
    assert m["seed"] == {"entropy": 12345, "spawn_key": []}
    assert m["extra"] == {"n": 3}
    assert m["created_utc"].endswith("Z")


def test_timestamp_is_excluded_from_comparison(written):
    sc, out, argv = written
    a = prov.build_manifest([out.name], argv, [sc])
    b = prov.build_manifest([out.name], argv, [sc])
    b["created_utc"] = "1999-01-01T00:00:00Z"
    assert a["created_utc"] != b["created_utc"]
    assert prov.compare_manifests(a, b) == []
    b["outputs"][0]["sha256"] = "f" * 64
    assert [d.path for d in prov.compare_manifests(a, b)] == ["outputs[0].sha256"]


def test_output_named_by_option_equals_form_and_by_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    for name in ("d/a.csv", "d/b.csv", "f.json"):
        (tmp_path / name).write_text(name)
    sc = load_scenario("2019-barbados")
    m = prov.build_manifest(["f.json", "d/a.csv", "d/b.csv"], ["plot", "--output=f.json", "--dir", "d"], [sc])
    assert m["command"]["output_args"] == [
        {"index": 1, "prefix": "--output=", "path": "f.json", "kind": "file"},
        {"index": 3, "prefix": "", "path": "d", "kind": "dir"},
    ]
    with pytest.raises(ValueError, match="not named on the command line"):
        prov.build_manifest(["f.json"], ["plot"], [sc])


# --------------------------------------------------------------------------- canonical hashing

BASE = """# comment
[russia]
finance = 2.0   # bn
evasion = 0.5

[meta]
title = "x"
sources = ["smilde-ramsey"]
"""
SAME = [
    # key order, spacing, comments, table layout (dotted keys), integer spelling
    '[meta]\nsources = [ "smilde-ramsey" ]\ntitle="x"\n[russia]\nevasion=0.5\nfinance=2\n',
    'russia.finance = 2.0\nrussia.evasion = 5e-1\nmeta = { title = "x", sources = ["smilde-ramsey"] }\n',
]
DIFFERENT = [
    BASE.replace("finance = 2.0", "finance = 2.5"),
    BASE.replace('title = "x"', 'title = "y"'),
    BASE + "[china]\nfinance = 1.0\n",
    BASE.replace("evasion = 0.5\n", ""),
]


def _hash(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return prov.canonical_toml_sha256(p)


def test_canonical_hash_ignores_layout(tmp_path):
    h = _hash(tmp_path, BASE)
    assert all(_hash(tmp_path, t) == h for t in SAME)


def test_canonical_hash_sees_every_value_change(tmp_path):
    hashes = [_hash(tmp_path, BASE)] + [_hash(tmp_path, t) for t in DIFFERENT]
    assert len(set(hashes)) == len(hashes)


@settings(deadline=None)
@given(values=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]),
                              st.floats(-1e6, 1e6, allow_nan=False), min_size=1),
       seed=st.integers(0, 2**32 - 1), blanks=st.integers(0, 3))
def test_canonical_hash_is_invariant_under_key_order_and_spacing(tmp_path_factory, values, seed, blanks):
    tmp = tmp_path_factory.mktemp("h")
    keys = list(values)
    shuffled = [keys[i] for i in np.random.default_rng(seed).permutation(len(keys))]
    a = "[t]\n" + "".join(f"{k} = {values[k]!r}\n" for k in keys)
    b = "\n" * blanks + "[t]\n" + "".join(f"{k}{' ' * blanks}={values[k]!r}  # c\n" for k in shuffled)
    assert _hash(tmp, a, "a.toml") == _hash(tmp, b, "b.toml")
    k = keys[0]
    changed = a.replace(f"{k} = {values[k]!r}", f"{k} = {values[k] + 1.0!r}")
    if values[k] + 1.0 != values[k]:
        assert _hash(tmp, changed, "c.toml") != _hash(tmp, a, "a.toml")


# --------------------------------------------------------------------------- JSON differences


def test_json_differences_paths_and_magnitudes():
    a = {"x": 1, "y": {"z": [1.0, 2.0, "s"]}, "only_a": True}
    b = {"x": 1.0, "y": {"z": [1.0, 2.5, "t"], "new": None}}
    d = {x.path: x for x in prov.json_differences(a, b)}
    assert set(d) == {"y.z[1]", "y.z[2]", "y.new", "only_a"}
    assert d["y.z[1]"].abs_diff == 0.5
    assert d["y.z[2]"].abs_diff is None
    assert d["only_a"].b is prov.MISSING and d["y.new"].a is prov.MISSING
    assert prov.json_differences([1, 2], [1, 2, 3])[0].path == "[2]"
    assert prov.json_differences(True, 1) != []  # a boolean is not the number 1


def test_non_json_output_difference_reports_file_and_sizes(tmp_path):
    shutil.copy(SCENARIOS / "2019-barbados.toml", tmp_path)
    shutil.copy(SCENARIOS / "_common.toml", tmp_path)
    assert batna_main("analyse", "2019-barbados.toml", "--output", "r.txt", cwd=tmp_path).returncode == 0
    out, manifest = tmp_path / "r.txt", tmp_path / "r.txt.manifest.json"
    size = out.stat().st_size
    out.write_bytes(out.read_bytes() + b"an extra line\n")  # as if an older version wrote one more line
    m = json.loads(manifest.read_text())
    m["outputs"][0].update(sha256=sha256(out), bytes=out.stat().st_size)
    manifest.write_text(json.dumps(m))
    r, lines = _reproduce(manifest, tmp_path)
    assert r.returncode == 1
    assert any(ln.startswith("output differs: r.txt") for ln in lines)
    assert f"  not JSON: recorded {size + 14} bytes, reproduced {size} bytes" in lines


def test_recorded_command_that_no_longer_parses_is_reported(recorded):
    tmp, out, manifest = recorded
    m = json.loads(manifest.read_text())
    m["command"]["argv"].insert(1, "--no-such-option")
    m["command"]["output_args"][0]["index"] += 1
    manifest.write_text(json.dumps(m))
    r, lines = _reproduce(manifest, tmp)
    assert r.returncode == 1
    assert any("the re-run failed with exit status 2" in ln for ln in lines)
    assert any(ln.startswith("  ") and "--no-such-option" in ln for ln in lines)  # argparse's message
