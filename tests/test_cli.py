"""The command line, through the real console script: outputs, exit codes and bad-input messages."""

from __future__ import annotations

import json
import subprocess

import pytest

import batna
from batna.parameters import PARAMETERS
from batna.scenario import bundled_scenarios

from helpers import batna_command

BATNA = batna_command()


def run(*args, cwd=None):
    return subprocess.run(BATNA + list(args), capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_user_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("batna: error:") or "problem" in proc.stderr
    assert len(proc.stderr.splitlines()) <= 25  # fits on one screen
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)


def test_analyse_default_scenario_prints_the_verdict_first():
    proc = run("analyse")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    report = batna.analyse(batna.load_scenario())
    assert first == report.headline
    assert "2019-secondary-sanctions" in proc.stdout


def test_analyse_json_is_byte_identical_across_runs(tmp_path):
    a = run("analyse", "2019-barbados", "--format", "json")
    b = run("analyse", "2019-barbados", "--format", "json")
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    d = json.loads(a.stdout)
    assert d["scenario"]["name"] == "venezuela/2019-barbados"
    assert d["margin"] == pytest.approx(batna.analyse(batna.load_scenario("2019-barbados")).margin, rel=1e-11)


def test_set_overrides_reach_the_report():
    proc = run("analyse", "2019-barbados", "--set", "cuba.security=0", "--format", "json")
    d = json.loads(proc.stdout)
    assert d["parameters"]["cuba.security"]["value"] == 0.0
    assert d["parameters"]["cuba.security"]["source"] == "override"
    assert d["verdict"]["agreement"] is True  # the no-Cuba counterfactual opens the ZOPA


def test_output_file_is_written_and_matches_stdout(tmp_path):
    out = tmp_path / "r.md"
    proc = run("analyse", "2019-barbados", "--format", "markdown", "--output", str(out))
    assert proc.returncode == 0
    assert out.read_text() == run("analyse", "2019-barbados", "--format", "markdown").stdout
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_scenario_by_path(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('extends = "2019-barbados"\n[cuba]\nsecurity = 0.0\n')
    proc = run("analyse", str(p), "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"]["agreement"] is True


def test_compare_lists_differences():
    proc = run("compare", "2019-barbados", "2019-secondary-sanctions")
    assert proc.returncode == 0
    for key in ("us.secondary_sanctions", "us.escalation_credibility", "margin", "government BATNA"):
        assert key in proc.stdout
    d = json.loads(run("compare", "2019-barbados", "2019-secondary-sanctions", "--format", "json").stdout)
    a = batna.analyse(batna.load_scenario("2019-barbados"))
    b = batna.analyse(batna.load_scenario("2019-secondary-sanctions"))
    assert d["quantities"]["margin"]["change"] == pytest.approx(b.margin - a.margin, abs=1e-11)
    assert set(d["parameters_differ"]) == {k for k in a.values if a.values[k] != b.values[k]}


def test_scenarios_and_parameters_list_everything():
    out = run("scenarios").stdout
    for name, desc in bundled_scenarios().items():
        assert name in out and desc in out
    out = run("parameters").stdout
    for p in PARAMETERS:
        assert p.key in out and p.range_text in out


@pytest.mark.parametrize("cmd", ["analyse", "compare", "scenarios", "parameters", "validate"])
def test_help_has_examples(cmd):
    proc = run(cmd, "--help")
    assert proc.returncode == 0 and "example" in proc.stdout


def test_validate_ok_and_all_errors(tmp_path):
    assert run("validate", "2019-barbados").returncode == 0
    p = tmp_path / "bad.toml"
    p.write_text('[us]\nrelief = 2\n[russa]\nfinance = 1\n[cuba]\nsecurity = "x"\n')
    proc = run("validate", str(p))
    assert_user_error(proc, "3 problems", "us.relief", "'russia'", "cuba.security")


# --------------------------------------------------------------------------- every bad-input class: exit 2, no traceback


def test_unknown_key_in_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[russia]\nfinanse = 3\n")
    assert_user_error(run("analyse", str(p)), str(p), "russia.finanse", "did you mean 'russia.finance'")


@pytest.mark.parametrize("value,words", [("1.5", "out of range"), ("nan", "not a finite"), ("inf", "not a finite"),
                                         ('"x"', "type str")])
def test_bad_value_in_file(tmp_path, value, words):
    p = tmp_path / "s.toml"
    p.write_text(f"[us]\nsanctions = {value}\n")
    assert_user_error(run("analyse", str(p)), str(p), "us.sanctions", words, "[0, 1]")


def test_missing_file():
    assert_user_error(run("analyse", "no/such/file.toml"), "no/such/file.toml", "no such file")


def test_extends_cycle(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert_user_error(run("analyse", str(tmp_path / "a.toml")), "extends cycle")


def test_malformed_toml(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[us\n")
    assert_user_error(run("analyse", str(p)), str(p), "malformed TOML")


@pytest.mark.parametrize("override,words", [("russia.finanse=2", "did you mean 'russia.finance'"),
                                            ("us.relief=7", "out of range"), ("us.relief", "must look like"),
                                            ("us.relief=nan", "not a finite")])
def test_bad_override(override, words):
    assert_user_error(run("analyse", "--set", override), "<command line>", words)


def test_bad_option_is_a_usage_error():
    proc = run("analyse", "--format", "html")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "invalid choice" in proc.stderr
