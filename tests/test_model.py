"""Tests of batna.model: equations, exactness of ZOPA and margin, comparative statics (MODEL.md s.7)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from batna import model
from batna.parameters import PARAMETERS, defaults
from strategies import ordered_values, parameter_sets

TOL = 1e-12
X = np.linspace(0.0, 1.0, 4001)


def brute(values, x=X):
    """Independent check: utilities on a fine grid of depths, straight from the equations."""
    r = model.evaluate(values)
    P = r.parameters
    u_G, u_O = model.utilities(x, P, r.bite)
    feasible = x <= P["government.core_limit"]
    gG, gO = u_G - r.batna_G, u_O - r.price_O
    return r, feasible, gG, gO


# --------------------------------------------------------------------------- equations


def test_lottery_matches_hand_computation():
    v = defaults()
    v.update({"us.sanctions": 0.6, "us.secondary_sanctions": 0.5, "russia.evasion": 0.5, "china.evasion": 0.2,
              "russia.finance": 3.0, "china.finance": 1.0, "government.financing_need": 16.0,
              "cuba.security": 0.4, "government.base_hazard": 0.5, "government.mobilisation": 0.3,
              "government.horizon": 2.0, "opposition.optimism": 0.5, "us.escalation_credibility": 0.4,
              "us.escalation_effect": 0.5, "government.fall_penalty": 1.0, "government.conflict_cost": 0.1,
              "government.sanctions_pain": 0.3, "opposition.conflict_cost": 0.2, "us.opposition_support": 0.25})
    r = model.evaluate(v)
    e = (1 - 0.5 * 0.8) * 0.5
    f = 4.0 / 16.0
    b = 0.6 * (1 - e) * (1 - f)
    p = 1 - math.exp(-0.5 * (0.3 + b) * 0.6 * 2.0)
    b_hat = 0.6 * (1 - e * 0.5) * (1 - f * 0.5)
    p_hat = 1 - math.exp(-0.5 * (0.3 + b_hat) * (1 - 0.2) * 2.0)
    p_O = p_hat + (1 - p_hat) * 0.2
    assert float(r.evasion) == pytest.approx(e, abs=TOL)
    assert float(r.bite) == pytest.approx(b, abs=TOL)
    assert float(r.p) == pytest.approx(p, abs=TOL)
    assert float(r.p_O) == pytest.approx(p_O, abs=TOL)
    assert float(r.batna_G) == pytest.approx(1 - p - p * 1.0 - 0.1 - 0.3 * b, abs=TOL)
    assert float(r.batna_O) == pytest.approx(p_O - 0.2 * 0.75, abs=TOL)


def test_finance_offset_saturates_at_one():
    v = defaults()
    v.update({"russia.finance": 30.0, "china.finance": 30.0, "government.financing_need": 10.0, "us.sanctions": 1.0})
    r = model.evaluate(v)
    assert float(r.finance_offset) == 1.0
    assert float(r.bite) == 0.0


def test_broadcasting_equals_pointwise():
    v = defaults()
    fin = np.linspace(0, 20, 7)
    sig = np.linspace(0, 1, 5)
    v.update({"us.sanctions": 0.7, "russia.finance": fin[:, None], "us.secondary_sanctions": sig[None, :]})
    r = model.evaluate(v)
    assert r.margin.shape == (7, 5)
    for i, j in [(0, 0), (3, 2), (6, 4)]:
        w = dict(v, **{"russia.finance": fin[i], "us.secondary_sanctions": sig[j]})
        one = model.evaluate(w)
        assert r.margin[i, j] == pytest.approx(float(one.margin), abs=1e-15)
        assert r.batna_G[i, j] == pytest.approx(float(one.batna_G), abs=1e-15)
        assert r.binding[i, j] == int(one.binding)


def test_unknown_parameter_is_rejected():
    with pytest.raises(KeyError, match="russia.finanse"):
        model.evaluate({"russia.finanse": 1.0})


# --------------------------------------------------------------------------- ZOPA and margin exactness


@given(parameter_sets())
def test_margin_is_the_maximin_gain(values):
    r, feasible, gG, gO = brute(values)
    grid_max = np.max(np.where(feasible, np.minimum(gG, gO), -np.inf))
    m = float(r.margin)
    # The closed form is the exact maximum: never below the grid's best, and the grid
    # comes within one grid step (both gains have slopes of magnitude <= 1).
    assert m >= grid_max - 1e-9
    assert m <= grid_max + (X[1] - X[0]) + 1e-9 or _jump_near_optimum(values, r)


def _jump_near_optimum(values, r):
    """The maximum may sit on a zero-length piece (a single point) the grid misses."""
    bps = [values["us.relief_threshold"], values["opposition.hardliner_floor"], values["government.core_limit"]]
    x = np.array(bps)
    u_G, u_O = model.utilities(x, r.parameters, r.bite)
    ok = x <= values["government.core_limit"]
    at = np.where(ok, np.minimum(u_G - r.batna_G, u_O - r.price_O), -np.inf)
    return np.max(at) >= float(r.margin) - 1e-9


@given(parameter_sets())
def test_margin_nonnegative_iff_zopa_nonempty(values):
    r = model.evaluate(values)
    has_interval = bool(np.any(~np.isnan(r.zopa_low)))
    assert (float(r.margin) >= 0) == has_interval


@given(parameter_sets())
def test_zopa_intervals_hold_exactly_the_acceptable_deals(values):
    r, feasible, gG, gO = brute(values)
    inside = np.zeros_like(X, dtype=bool)
    for lo, hi in zip(r.zopa_low, r.zopa_high):
        if not np.isnan(lo):
            assert 0 <= lo <= hi <= values["government.core_limit"] + 1e-12
            inside |= (X >= lo) & (X <= hi)
    acceptable = feasible & (gG >= -1e-9) & (gO >= -1e-9)
    strictly = feasible & (gG > 1e-9) & (gO > 1e-9)
    # Every strictly acceptable grid depth is in the ZOPA; every ZOPA depth is acceptable,
    # except at an interval's end where an indicator jumps (measure zero: grid points near ends).
    assert not np.any(strictly & ~inside)
    bad = inside & ~acceptable
    if bad.any():
        ends = np.concatenate([r.zopa_low[~np.isnan(r.zopa_low)], r.zopa_high[~np.isnan(r.zopa_high)]])
        assert np.all(np.min(np.abs(X[bad][:, None] - ends[None, :]), axis=1) < 1e-9)


@given(parameter_sets())
def test_binding_is_none_exactly_when_zopa_open(values):
    r = model.evaluate(values)
    assert (int(r.binding) == 0) == (float(r.margin) >= 0)


@given(parameter_sets(), st.sampled_from(["us.relief_threshold", "opposition.hardliner_floor",
                                          "government.core_limit", "mediator.enforcement"]))
def test_structural_binding_constraint_opens_the_zopa_when_relaxed(values, _):
    r = model.evaluate(values)
    name = model.BINDING[int(r.binding)]
    relax = {"US red line": {"us.relief_threshold": 0.0}, "hardliner floor": {"opposition.hardliner_floor": 0.0},
             "inner-circle limit": {"government.core_limit": 1.0}, "implementation risk": {"mediator.enforcement": 1.0}}
    if name in relax:
        assert float(model.evaluate(dict(values, **relax[name])).margin) >= 0
    elif name in ("government BATNA", "opposition BATNA"):
        for change in relax.values():
            assert float(model.evaluate(dict(values, **change)).margin) < 0


# --------------------------------------------------------------------------- comparative statics (MODEL.md s.7)


def _pair(values, key, v1, v2):
    return model.evaluate(dict(values, **{key: v1})), model.evaluate(dict(values, **{key: v2}))


RISES_G = ["russia.finance", "china.finance", "russia.evasion", "china.evasion", "cuba.security"]
FALLS_G = ["us.sanctions", "us.secondary_sanctions"]
RISES_O = ["us.escalation_credibility", "us.opposition_support", "us.sanctions", "us.secondary_sanctions",
           "opposition.optimism"]


@pytest.mark.parametrize("key", RISES_G)
@given(data=st.data())
def test_government_batna_rises_with_regime_support(key, data):
    values = data.draw(parameter_sets())
    v1, v2 = data.draw(ordered_values(key))
    a, b = _pair(values, key, v1, v2)
    assert float(b.batna_G) >= float(a.batna_G) - TOL


@pytest.mark.parametrize("key", FALLS_G)
@given(data=st.data())
def test_government_batna_falls_with_us_pressure(key, data):
    values = data.draw(parameter_sets())
    v1, v2 = data.draw(ordered_values(key))
    a, b = _pair(values, key, v1, v2)
    assert float(b.batna_G) <= float(a.batna_G) + TOL


@pytest.mark.parametrize("key", FALLS_G)
@given(data=st.data())
def test_government_batna_falls_strictly_when_sanctions_bite(key, data):
    values = data.draw(parameter_sets(fixed={"us.sanctions": 0.8, "russia.finance": 0.0, "china.finance": 0.0,
                                            "government.base_hazard": 1.0, "cuba.security": 0.0,
                                            "russia.evasion": 0.5, "china.evasion": 0.2, "government.horizon": 2.0,
                                            "government.mobilisation": 0.2,
                                            "government.sanctions_pain": 0.3}))
    lo, hi = (0.2, 0.6) if key == "us.sanctions" else (0.0, 0.9)
    a, b = _pair(values, key, lo, hi)
    assert float(b.batna_G) < float(a.batna_G)


@pytest.mark.parametrize("key", RISES_O)
@given(data=st.data())
def test_opposition_batna_rises(key, data):
    values = data.draw(parameter_sets())
    v1, v2 = data.draw(ordered_values(key))
    a, b = _pair(values, key, v1, v2)
    assert float(b.batna_O) >= float(a.batna_O) - TOL


@pytest.mark.parametrize("key", RISES_G)
@given(data=st.data())
def test_margin_falls_with_regime_support_when_opposition_ignores_it(key, data):
    values = data.draw(parameter_sets(fixed={"opposition.optimism": 1.0}))
    v1, v2 = data.draw(ordered_values(key))
    a, b = _pair(values, key, v1, v2)
    assert float(b.margin) <= float(a.margin) + TOL


def test_margin_can_rise_with_regime_support_when_optimism_below_one():
    """The documented sign flip: with omega < 1 and the inner-circle limit binding, Cuban
    support lowers the opposition's hopes (and price) more than it matters to the government."""
    v = defaults()
    v.update({"cuba.security": 0.0, "opposition.optimism": 0.0, "government.core_limit": 0.3,
              "government.base_hazard": 1.0, "government.mobilisation": 0.8, "government.fall_penalty": 1.0,
              "mediator.enforcement": 1.0})
    a = model.evaluate(v)
    b = model.evaluate(dict(v, **{"cuba.security": 0.8}))
    assert float(b.margin) > float(a.margin)
    assert model.BINDING[int(a.binding)] == "inner-circle limit"


def _zopa_mask(values):
    r, feasible, gG, gO = brute(values)
    return feasible & (gG >= 0) & (gO >= 0), float(r.margin)


@pytest.mark.parametrize("key,grows", [("mediator.enforcement", True), ("us.relief", True),
                                       ("us.relief_threshold", False), ("opposition.optimism", False),
                                       ("us.escalation_credibility", False)])
@given(data=st.data())
def test_zopa_set_and_margin_move_monotonically(key, grows, data):
    values = data.draw(parameter_sets())
    v1, v2 = data.draw(ordered_values(key))
    (z1, m1), (z2, m2) = _zopa_mask(dict(values, **{key: v1})), _zopa_mask(dict(values, **{key: v2}))
    small, big = (z1, z2) if grows else (z2, z1)
    m_small, m_big = (m1, m2) if grows else (m2, m1)
    assert not np.any(small & ~big), "ZOPA is not nested"
    assert m_big >= m_small - TOL


def test_every_parameter_has_a_default_inside_its_range():
    for p in PARAMETERS:
        assert p.contains(p.default), p.key
