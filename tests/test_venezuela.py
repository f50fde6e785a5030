"""The stylised facts of MODEL.md section 8, on the bundled Venezuela scenarios."""

from __future__ import annotations

import pytest

import batna

ROUNDS = ["2014-unasur-vatican", "2016-vatican", "2017-dominican-republic", "2019-barbados"]


@pytest.fixture(scope="module")
def reports():
    names = ROUNDS + ["2019-secondary-sanctions", "counterfactual-no-russia-china-finance",
                      "counterfactual-no-cuban-support", "counterfactual-no-regime-sponsors",
                      "counterfactual-no-sponsors", "counterfactual-no-us-red-line", "counterfactual-sponsor-bargain"]
    return {n: batna.analyse(batna.load_scenario(n)) for n in names}


@pytest.mark.parametrize("name", ROUNDS + ["2019-secondary-sanctions"])
def test_fact1_no_round_has_an_agreement_equilibrium(reports, name):
    r = reports[name]
    assert r.margin < 0 and r.zopa == [] and not r.verdict["agreement"]
    assert not r.game["engage_engage_is_equilibrium"]
    for eq in r.equilibrium_result.equilibria:  # no equilibrium puts all weight on (Engage, Engage)
        assert not (eq.row[0] == 1.0 and eq.column[0] == 1.0)


def test_fact2_barbados_comes_closest(reports):
    margins = {n: reports[n].margin for n in ROUNDS}
    assert max(margins, key=margins.get) == "2019-barbados"


def test_fact3_secondary_sanctions_lower_the_margin(reports):
    assert reports["2019-secondary-sanctions"].margin < reports["2019-barbados"].margin


@pytest.mark.parametrize("name", ["counterfactual-no-russia-china-finance", "counterfactual-no-cuban-support",
                                  "counterfactual-no-regime-sponsors"])
def test_fact4_removing_regime_support_raises_the_margin(reports, name):
    assert reports[name].margin > reports["2019-barbados"].margin


def test_fact4_removing_all_regime_support_opens_a_zopa(reports):
    r = reports["counterfactual-no-regime-sponsors"]
    assert r.margin >= 0 and r.zopa and r.verdict["agreement"]


def test_fact5_lowering_the_red_line_raises_the_margin(reports):
    assert reports["counterfactual-no-us-red-line"].margin > reports["2019-barbados"].margin


def test_fact6_a_sponsor_bargain_opens_a_zopa(reports):
    r = reports["counterfactual-sponsor-bargain"]
    assert r.margin >= 0 and r.zopa and r.solutions is not None


@pytest.mark.parametrize("name", ROUNDS[:3])
def test_fact7_stall_is_a_best_response_for_the_government_2014_2018(reports, name):
    g = reports[name].game
    assert g["government_stall_best_response_to_engage"]
    assert g["government_stalls_in_some_equilibrium"]


def test_counterfactuals_change_only_what_they_say(reports):
    base = batna.load_scenario("2019-barbados").values
    cf = batna.load_scenario("counterfactual-no-cuban-support").values
    assert {k for k in base if base[k] != cf[k]} == {"cuba.security"}
