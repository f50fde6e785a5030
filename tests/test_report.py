"""Tests of batna.report, batna.agreement, batna.engagement, batna.thresholds and the renderers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import batna
from batna import agreement, bargaining, engagement, model, quantities, thresholds
from batna.games import solve
from batna.render import render
from strategies import parameter_sets


@pytest.fixture(scope="module")
def barbados():
    return batna.analyse(batna.load_scenario("2019-barbados"))


@pytest.fixture(scope="module")
def open_report():
    return batna.analyse(batna.load_scenario("counterfactual-no-us-red-line"))


# --------------------------------------------------------------------------- report structure and consistency


def test_json_has_the_documented_top_level_keys(barbados):
    d = barbados.to_dict()
    for key in ("schema_version", "scenario", "parameters", "batna", "zopa", "margin", "verdict", "binding",
                "solutions", "equilibria", "thresholds"):
        assert key in d
    assert set(d["parameters"]) == {p.key for p in batna.parameters.PARAMETERS}
    assert d["parameters"]["russia.finance"]["source"] == "smilde-ramsey"


def test_report_agrees_with_the_array_engine(barbados, open_report):
    for rep in (barbados, open_report):
        q = quantities.evaluate_all(rep.values)
        assert rep.margin == float(q["margin"])
        assert rep.verdict["agreement"] == bool(q["zopa_exists"])
        assert rep.batna["government"]["perceived"] == float(q["batna_G"])
        assert rep.binding == model.BINDING[int(q["binding"])]
        assert rep.game["engage_engage_is_equilibrium"] == bool(q["engage_engage_equilibrium"])
        if rep.zopa:
            assert rep.zopa[0][0] == float(q["zopa_low"]) and rep.zopa[-1][1] == float(q["zopa_high"])


def test_open_zopa_solutions_are_inside_it_and_individually_rational(open_report):
    r = open_report
    assert r.zopa and r.solutions
    for name, s in r.solutions.items():
        assert any(lo - 1e-12 <= s["x"] <= hi + 1e-12 for lo, hi in r.zopa), name
        assert s["gain_G"] >= -1e-12 and s["gain_O"] >= -1e-12, name
    assert r.verdict == {**r.verdict, "government": True, "opposition": True, "agreement": True}


@given(st.one_of(parameter_sets(), parameter_sets(fixed={"mediator.enforcement": 1.0,
                                                          "government.core_limit": 1.0})))
def test_nash_point_matches_the_sampled_frontier_solution(values):
    """Cross-check the piecewise closed form against batna.bargaining on a sampled frontier."""
    r = model.evaluate(values)
    # A margin within rounding of 0 can flip sign between the piecewise form and the
    # utilities evaluated directly (e.g. a price of 1e-45 absorbed in a sum): skip those.
    assume(float(r.margin) > 1e-12)
    # At a weight within ~1e-12 of 0 or 1 the optimum sits where one gain is 0 and the
    # product 0**tiny underflows to 0 in floats; the point itself is right, the product test is not.
    assume(1e-9 < values["bargaining.power"] < 1 - 1e-9)
    sol = agreement.solutions(r)
    x = np.linspace(0, 1, 20001)
    x = np.unique(np.concatenate([x, r.zopa_low[~np.isnan(r.zopa_low)], r.zopa_high[~np.isnan(r.zopa_high)]]))
    u_G, u_O = model.utilities(x, r.parameters, r.bite)
    ok = x <= values["government.core_limit"]
    pt = bargaining.nash_solution(np.where(ok, u_G, -np.inf)[ok], u_O[ok], (float(r.batna_G), float(r.price_O)),
                                  power=values["bargaining.power"])
    a = values["bargaining.power"]
    prod = lambda gG, gO: max(gG, 0) ** a * max(gO, 0) ** (1 - a)  # noqa: E731
    ours = prod(float(sol["nash.u_G"]) - float(r.batna_G), float(sol["nash.u_O"]) - float(r.price_O))
    sampled = prod(pt.u1 - float(r.batna_G), pt.u2 - float(r.price_O))
    assert ours >= sampled - 1e-6  # the exact optimum is at least as good as any sampled point


@given(parameter_sets())
def test_engagement_game_equilibria_never_crash_and_have_no_regret(values):
    r = model.evaluate(values)
    sol = agreement.solutions(r)
    A, B = engagement.payoff_matrices(r.parameters, r.batna_G, r.batna_O, sol["nash.v_G"], sol["nash.v_O"],
                                      r.margin >= 0)
    res = solve(A, B)
    assert res.equilibria
    scale = max(np.ptp(A), np.ptp(B), 1.0)
    for e in res.equilibria:
        assert e.regret <= 1e-7 * scale
    if float(r.margin) < 0:
        assert res.degenerate  # BATNA ties in several cells
    pure = engagement.pure_summary(A, B)
    ee_pure = any(e.row[0] == 1.0 and e.column[0] == 1.0 for e in res.equilibria)
    assert bool(pure["engage_engage_equilibrium"]) == ee_pure


def test_stall_is_best_response_when_no_zopa_and_delay_gain_positive():
    v = batna.load_scenario("2016-vatican").values
    r = model.evaluate(v)
    A, B = engagement.payoff_matrices(r.parameters, r.batna_G, r.batna_O, np.nan, np.nan, False)
    assert A[engagement.STALL, engagement.ENGAGE] == pytest.approx(float(r.batna_G) + v["government.delay_gain"])
    assert A[:, engagement.ENGAGE].argmax() == engagement.STALL


# --------------------------------------------------------------------------- thresholds


def test_each_threshold_is_a_real_flip(barbados):
    values = barbados.values
    found = 0
    for t in barbados.thresholds:
        p = batna.parameters.get(t.key)
        for f in t.flips:
            found += 1
            d = 1e-6 * (p.high - p.low)
            below = model.margin(dict(values, **{t.key: max(p.low, f.value - d)}))
            above = model.margin(dict(values, **{t.key: min(p.high, f.value + d)}))
            assert (float(above) >= 0) == f.opens and (float(below) >= 0) != f.opens, t.key
    assert found >= 1


@pytest.mark.parametrize("name", ["2019-barbados", "2019-secondary-sanctions", "counterfactual-no-us-red-line"])
def test_thresholds_find_every_flip_on_a_fine_grid(name):
    values = batna.load_scenario(name).values
    for t in thresholds.find_thresholds(values):
        p = batna.parameters.get(t.key)
        g = np.linspace(p.low, p.high, 20001)[1 if p.low_open else 0: -1 if p.high_open else None]
        m = model.margin(dict(values, **{t.key: g})) >= 0
        changes = g[1:][m[1:] != m[:-1]]
        assert len(changes) == len(t.flips), t.key
        for c, f in zip(changes, t.flips):
            assert abs(c - f.value) <= (g[1] - g[0]) * 1.01, t.key


def test_threshold_flip_changes_the_report_verdict(barbados):
    t = next(t for t in barbados.thresholds if t.flips)
    f = t.flips[0]
    p = batna.parameters.get(t.key)
    step = 1e-4 * (p.high - p.low)
    target = f.value + step if f.opens else f.value - step
    flipped = batna.analyse(batna.load_scenario("2019-barbados", {t.key: target}))
    assert flipped.verdict["agreement"] != barbados.verdict["agreement"]


# --------------------------------------------------------------------------- renderers


def test_text_report_starts_with_the_verdict(barbados, open_report):
    assert render(barbados).splitlines()[0].startswith("NO AGREEMENT")
    assert render(open_report).splitlines()[0].startswith("AGREEMENT POSSIBLE")


def test_json_round_trips_and_is_stable(barbados):
    a = render(barbados, "json")
    b = render(batna.analyse(batna.load_scenario("2019-barbados")), "json")
    assert a == b
    d = json.loads(a)
    assert d["margin"] == pytest.approx(barbados.margin, rel=1e-11)


def test_markdown_and_latex_contain_every_table(barbados):
    md = render(barbados, "markdown")
    tex = render(barbados, "latex")
    for title in ("BATNAs", "Zone of possible agreement", "Engagement game", "Thresholds"):
        assert f"## {title}" in md
        assert title in tex
    assert tex.count(r"\begin{tabular}") == tex.count(r"\end{tabular}") >= 6
    assert "us.secondary\\_sanctions" in tex  # underscores escaped


def test_unknown_format_is_an_error(barbados):
    with pytest.raises(ValueError, match="unknown format"):
        render(barbados, "html")


@given(parameter_sets(fixed={"mediator.enforcement": 1.0, "government.core_limit": 1.0,
                              "us.relief_threshold": 0.0, "opposition.hardliner_floor": 0.0,
                              "opposition.conflict_cost": 0.8}))
def test_inlined_closed_forms_equal_the_bargaining_module(values):
    """batna.agreement inlines nash_linear / kalai_smorodinsky_linear for speed: same points.
    No red line, floor or inner-circle limit: one linear piece [0, 1] holds the whole ZOPA."""
    r = model.evaluate(values)
    assume(float(r.margin) >= 0)
    j = int(np.argmax(np.nan_to_num(r.zopa_high - r.zopa_low, nan=-1.0)))
    pc = r.pieces
    G, s, C = (float(np.asarray(a)[..., j]) for a in (pc.G, pc.slope, pc.C))
    lo, hi = float(r.zopa_low[j]), float(r.zopa_high[j])
    sol = agreement.solutions(r)
    x_n = bargaining.nash_linear((G, s), C, values["bargaining.power"], lo, hi)
    # (1e-9: a zero-length end piece may win a rounding-level tie at the same point)
    assert float(sol["nash.x"]) == pytest.approx(x_n, abs=1e-9)
    ideal = (max(G - s * lo, 0.0), max(hi - C, 0.0))
    x_k = bargaining.kalai_smorodinsky_linear((G, s), C, ideal, lo, hi)
    assert float(sol["kalai_smorodinsky.x"]) == pytest.approx(x_k, abs=1e-9)
