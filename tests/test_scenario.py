"""Tests of batna.scenario and batna.parameters: loading, inheritance, overrides and every bad-input class."""

from __future__ import annotations

import math

import pytest

from batna import parameters
from batna.errors import ScenarioError
from batna.scenario import bundled_scenarios, load_scenario, parse_override, validate_file


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_bundled_scenario_loads_and_every_set_value_has_a_source():
    names = bundled_scenarios()
    assert len(names) >= 11
    for name in names:
        s = load_scenario(name)
        unsourced = [k for k, src in s.sources.items() if src == "unsourced"]
        assert not unsourced, f"{name}: values without a source: {unsourced}"
        assert s.description, name


def test_bundled_name_short_and_long_forms_and_path_agree():
    a = load_scenario("2019-barbados")
    b = load_scenario("venezuela/2019-barbados")
    c = load_scenario(a.path)
    assert a.values == b.values == c.values


def test_extends_overrides_parent_values(tmp_path):
    write(tmp_path, "base.toml", '[russia]\nfinance = 3.0\nevasion = 0.4\n[sources]\n"russia.finance" = "assumption"\n')
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[russia]\nfinance = 5.0\n')
    s = load_scenario(child)
    assert s.values["russia.finance"] == 5.0
    assert s.values["russia.evasion"] == 0.4
    assert s.files[0].endswith("child.toml") and s.files[1].endswith("base.toml")
    assert s.sources["russia.evasion"] == "unsourced"


def test_extends_a_bundled_scenario_by_name(tmp_path):
    child = write(tmp_path, "mine.toml", 'extends = "2019-barbados"\n[cuba]\nsecurity = 0.1\n')
    s = load_scenario(child)
    base = load_scenario("2019-barbados")
    assert s.values["cuba.security"] == 0.1
    assert s.values["russia.finance"] == base.values["russia.finance"]


def test_overrides_replace_values_and_are_recorded():
    s = load_scenario("2019-barbados", ["russia.finance=5", "us.relief=0.25"])
    assert s.values["russia.finance"] == 5.0 and s.values["us.relief"] == 0.25
    assert s.sources["russia.finance"] == "override"
    assert s.overrides == {"russia.finance": 5.0, "us.relief": 0.25}
    assert load_scenario("2019-barbados", {"russia.finance": 5, "us.relief": 0.25}).values == s.values


def test_digest_ignores_layout_but_not_values(tmp_path):
    a = write(tmp_path, "a.toml", "[russia]\nfinance = 3.0\nevasion = 0.4\n")
    b = write(tmp_path, "b.toml", "# comment\n[russia]\nevasion   = 0.4\n\nfinance = 3.0\n")
    c = write(tmp_path, "c.toml", "[russia]\nfinance = 3.5\nevasion = 0.4\n")
    assert load_scenario(a).digest() == load_scenario(b).digest() != load_scenario(c).digest()


# --------------------------------------------------------------------------- bad input, one class at a time


def error_of(tmp_path, text, name="bad.toml"):
    p = write(tmp_path, name, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    return str(info.value), p


def test_unknown_key_suggests_closest_name(tmp_path):
    msg, p = error_of(tmp_path, "[russia]\nfinanse = 3\n")
    assert str(p) in msg and "russia.finanse" in msg and "russia.finance" in msg


def test_unknown_table_suggests_closest_name(tmp_path):
    msg, _ = error_of(tmp_path, "[russa]\nfinance = 3\n")
    assert "'russa'" in msg and "'russia'" in msg


@pytest.mark.parametrize("value,words", [("1.5", "out of range"), ("-0.1", "out of range"), ("nan", "not a finite"),
                                         ("inf", "not a finite"), ('"high"', "type str"), ("true", "type bool"),
                                         ("[0.1]", "type list")])
def test_bad_values_name_file_key_value_and_range(tmp_path, value, words):
    msg, p = error_of(tmp_path, f"[us]\nrelief = {value}\n")
    assert str(p) in msg and "us.relief" in msg and words in msg and "[0, 1]" in msg


def test_open_bound_is_rejected(tmp_path):
    msg, _ = error_of(tmp_path, "[mediator]\nenforcement = 0.0\n")
    assert "mediator.enforcement" in msg and "(0, 1]" in msg


def test_missing_file_and_unknown_bundled_name():
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("/nonexistent/dir/x.toml")
    with pytest.raises(ScenarioError, match="did you mean"):
        load_scenario("2019-barbado")


def test_extends_cycle_is_reported_with_the_chain(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match=r"extends cycle: .*a\.toml -> .*b\.toml -> .*a\.toml"):
        load_scenario(tmp_path / "a.toml")


def test_self_extension_is_a_cycle(tmp_path):
    p = write(tmp_path, "self.toml", 'extends = "self.toml"\n')
    with pytest.raises(ScenarioError, match="extends cycle"):
        load_scenario(p)


def test_missing_parent_names_the_child(tmp_path):
    msg, p = error_of(tmp_path, 'extends = "nowhere.toml"\n')
    assert str(p) in msg and "nowhere.toml" in msg


def test_malformed_toml_gives_line_and_column(tmp_path):
    msg, p = error_of(tmp_path, "[us\nrelief = 0.1\n")
    assert str(p) in msg and "malformed TOML" in msg and "line 1" in msg


def test_unknown_source_key(tmp_path):
    msg, _ = error_of(tmp_path, '[us]\nrelief = 0.1\n[sources]\n"us.relief" = "smilde-ramsy"\n')
    assert "smilde-ramsey" in msg and "sources.us.relief" in msg


def test_validate_reports_all_problems_at_once(tmp_path):
    p = write(tmp_path, "many.toml", '[us]\nrelief = 2\nsanctions = "x"\n[russia]\nfinanse = 1\n[cuba]\nsecurity = nan\n')
    errors = validate_file(p)
    assert len(errors) == 4
    assert any("us.relief" in e for e in errors) and any("russia.finance" in e for e in errors)
    assert validate_file("2019-barbados") == []


@pytest.mark.parametrize("text,words", [("russia.finance", "must look like"), ("russia.finanse=1", "did you mean"),
                                        ("us.relief=2", "out of range"), ("us.relief=abc", "type str"),
                                        ("us.relief=nan", "not a finite")])
def test_bad_overrides(text, words):
    with pytest.raises(ScenarioError, match=words):
        parse_override(text)


def test_parameter_ranges_and_check_value():
    p = parameters.get("russia.finance")
    assert p.contains(0.0) and p.contains(p.high) and not p.contains(p.high + 1e-9)
    assert not p.contains(math.nan)
    assert parameters.check_value("russia.finance", 5) is None
    assert "out of range" in parameters.check_value("russia.finance", -1)
    assert parameters.closest("cuba.securty") == "cuba.security"
    assert set(parameters.sponsor_keys()) == {p.key for p in parameters.PARAMETERS
                                              if p.actor in ("us", "russia", "china", "cuba", "mediator")}


def test_validate_also_checks_the_uncertainty_table(tmp_path):
    p = write(tmp_path, "u.toml", 'extends = "2019-barbados"\n[uncertainty."russia.finance"]\n'
                                  'dist = "triangle"\nlow = 0\nmode = 1\nhigh = 2\n')
    errors = validate_file(p)
    assert len(errors) == 1 and "russia.finance" in errors[0] and "triangular" in errors[0]
    assert validate_file("2019-barbados-uncertain") == []
