"""The [uncertainty] table: parsing, validation messages, sampling and moments."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from batna import parameters as P
from batna.errors import ScenarioError
from batna.scenario import load_scenario
from batna.uncertainty import (Choice, ScaledBeta, Triangular, TruncatedNormal, Uniform, default_uniform,
                               from_scenario, parse_table)

EXAMPLE = "venezuela/2019-barbados-uncertain"


def batna_cmd():
    exe = shutil.which("batna")
    return [exe] if exe else [sys.executable, "-m", "batna"]


def write(tmp_path, body: str, name="s.toml", extends='extends = "2019-barbados"\n'):
    f = tmp_path / name
    f.write_text(extends + body, encoding="utf-8")
    return f


# ----------------------------------------------------------------------------- the example file


def test_example_scenario_parses_every_distribution_kind():
    sc = load_scenario(EXAMPLE)
    d = from_scenario(sc)
    kinds = {type(v) for v in d.values()}
    assert kinds == {Uniform, Triangular, TruncatedNormal, ScaledBeta, Choice}
    # every uncertain parameter cites a source (or "assumption") like the other files
    for k in d:
        assert sc.sources[k] not in ("default", "unsourced", "override"), k
    # point values are those of the round it extends
    assert sc.values == load_scenario("venezuela/2019-barbados").values


def test_set_pins_a_parameter_and_drops_its_distribution():
    sc = load_scenario(EXAMPLE, ["russia.finance=3"])
    d = from_scenario(sc)
    assert "russia.finance" not in d and "china.finance" in d


def test_nested_spelling_is_accepted(tmp_path):
    f = write(tmp_path, '[uncertainty.russia.finance]\ndist = "uniform"\nlow = 1\nhigh = 3\n')
    d = from_scenario(load_scenario(f))
    assert d == {"russia.finance": Uniform(1.0, 3.0)}


def test_normal_and_beta_default_to_the_valid_range(tmp_path):
    f = write(tmp_path, '[uncertainty."cuba.security"]\ndist = "beta"\nalpha = 2\nbeta = 3\n'
                        '[uncertainty."us.relief"]\ndist = "normal"\nmean = 0.5\nsd = 0.2\n')
    d = from_scenario(load_scenario(f))
    assert d["cuba.security"].support == (0.0, 1.0)
    assert d["us.relief"].support == (0.0, 1.0)


# ----------------------------------------------------------------------------- validation

BAD = [
    # (toml body, substrings every message must contain)
    ('[uncertainty."russia.finance"]\ndist = "triangle"\nlow = 0\nmode = 1\nhigh = 2\n',
     ["uncertainty.russia.finance", "'triangle'", "did you mean 'triangular'"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 0\nhi = 2\n',
     ["unknown key 'hi'", "did you mean 'high'", "needs 'high'"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 0\nhigh = 60\n',
     ["high = 60", "[0, 50]", "USD bn/yr", "must lie inside"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = -1\nhigh = 2\n',
     ["low = -1", "[0, 50]"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = nan\nhigh = 2\n',
     ["low = nan", "not a finite number"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 0\nhigh = inf\n',
     ["high = inf", "not a finite number"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 3\nhigh = 2\n',
     ["low = 3 must be below high = 2"]),
    ('[uncertainty."russia.finance"]\ndist = "uniform"\nlow = true\nhigh = 2\n',
     ["low = True", "expected a number"]),
    ('[uncertainty."russia.finance"]\ndist = "triangular"\nlow = 0\nmode = 5\nhigh = 2\n',
     ["mode = 5", "outside [low, high]"]),
    ('[uncertainty."russia.financ"]\ndist = "uniform"\nlow = 0\nhigh = 2\n',
     ["unknown parameter", "did you mean 'russia.finance'"]),
    ('[uncertainty."us.relief"]\ndist = "choice"\nvalues = [0, 0.5]\nprobabilities = [0.5, 0.4]\n',
     ["sum to 0.9", "must sum to 1"]),
    ('[uncertainty."us.relief"]\ndist = "choice"\nvalues = [0, 0.5]\nprobabilities = [1.5, -0.5]\n',
     ["probabilities[1] = -0.5", "negative"]),
    ('[uncertainty."us.relief"]\ndist = "choice"\nvalues = [0, 1.5]\nprobabilities = [0.5, 0.5]\n',
     ["values[1] = 1.5", "[0, 1]"]),
    ('[uncertainty."us.relief"]\ndist = "choice"\nvalues = [0, 1]\nprobabilities = [1]\n',
     ["values has 2 entries but probabilities has 1"]),
    ('[uncertainty."us.relief"]\ndist = "normal"\nmean = 0.5\nsd = 0\n',
     ["sd = 0 must be > 0"]),
    ('[uncertainty."us.relief"]\ndist = "normal"\nmean = 0.9\nsd = 0.1\nlow = 0\nhigh = 0.5\n',
     ["mean = 0.9", "outside the truncation bounds"]),
    ('[uncertainty."us.relief"]\ndist = "beta"\nalpha = -1\nbeta = 2\n',
     ["alpha = -1 must be > 0"]),
    ('[uncertainty."mediator.enforcement"]\ndist = "beta"\nalpha = 2\nbeta = 2\n',
     ["(0, 1] excludes 0", "explicit low"]),
    ('[uncertainty."mediator.enforcement"]\ndist = "uniform"\nlow = 0\nhigh = 1\n',
     ["low = 0", "(0, 1]"]),
    ('[uncertainty."us.relief"]\nlow = 0\nhigh = 1\n', ["missing 'dist'"]),
    ('[uncertainty]\n"us.relief" = 0.5\n', ["must be a table with a 'dist' key"]),
]


@pytest.mark.parametrize("body,needles", BAD)
def test_bad_specs_raise_scenario_error_naming_file_and_problem(tmp_path, body, needles):
    f = write(tmp_path, body)
    sc = load_scenario(f)  # the loader passes [uncertainty] through raw
    with pytest.raises(ScenarioError) as exc:
        from_scenario(sc)
    msg = str(exc.value)
    assert str(f) in msg
    for n in needles:
        assert n in msg, (n, msg)


def test_all_problems_are_reported_together(tmp_path):
    f = write(tmp_path, '[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 0\nhigh = 60\n'
                        '[uncertainty."us.relief"]\ndist = "unifrom"\nlow = 0\nhigh = 1\n')
    with pytest.raises(ScenarioError) as exc:
        from_scenario(load_scenario(f))
    assert len(exc.value.errors) == 2 and str(exc.value).startswith("2 problems")


def test_error_names_the_ancestor_file_that_set_the_entry(tmp_path):
    parent = write(tmp_path, '[uncertainty."russia.finance"]\ndist = "uniform"\nlow = 0\nhigh = 99\n',
                   name="parent.toml")
    child = write(tmp_path, '[uncertainty."us.relief"]\ndist = "uniform"\nlow = 0\nhigh = 1\n',
                  name="child.toml", extends='extends = "parent.toml"\n')
    with pytest.raises(ScenarioError) as exc:
        from_scenario(load_scenario(child))
    assert str(parent) in str(exc.value) and str(child) not in str(exc.value)


def test_parse_table_without_a_scenario():
    d = parse_table({"us.relief": {"dist": "uniform", "low": 0.2, "high": 0.4}}, "<test>")
    assert d == {"us.relief": Uniform(0.2, 0.4)}
    with pytest.raises(ScenarioError, match="<test>: uncertainty.us.relief"):
        parse_table({"us.relief": {"dist": "uniform", "low": 0.2, "high": 1.4}}, "<test>")


def test_cli_bad_distribution_exits_2_without_traceback(tmp_path):
    f = write(tmp_path, '[uncertainty."russia.finance"]\ndist = "triangle"\nlow = 0\nmode = 1\nhigh = 2\n')
    env = dict(os.environ)
    for cmd in ("montecarlo", "sensitivity"):
        r = subprocess.run(batna_cmd() + [cmd, str(f), "-n", "16"], capture_output=True, text=True, env=env)
        assert r.returncode == 2, (cmd, r.stderr)
        assert "did you mean 'triangular'" in r.stderr and str(f) in r.stderr
        assert "Traceback" not in r.stderr and r.stdout == ""


# ----------------------------------------------------------------------------- sampling

N = 200_000


def _u(seed, n=N):
    return np.random.default_rng(seed).random(n)


CASES = [
    (Uniform(1.0, 4.0), 2.5, 9 / 12),
    (Triangular(0.5, 2.0, 4.0), (0.5 + 2.0 + 4.0) / 3,
     (0.25 + 16 + 4 - 0.5 * 4 - 0.5 * 2 - 8) / 18),
    (Triangular(0.0, 0.0, 1.0), 1 / 3, 1 / 18),  # mode at an end
    (ScaledBeta(6.0, 4.0, 0.3, 0.9), 0.3 + 0.6 * 0.6, 0.36 * 24 / (100 * 11)),
    (Choice((0.25, 0.5, 0.75), (0.25, 0.5, 0.25)), 0.5, 0.25 ** 2 * 0.5),
]


def _truncnorm_moments(m, s, lo, hi):
    """Mean and variance of a truncated normal by numerical integration (independent of scipy.truncnorm)."""
    pdf = lambda x: math.exp(-0.5 * ((x - m) / s) ** 2)  # noqa: E731
    z = integrate.quad(pdf, lo, hi)[0]
    mean = integrate.quad(lambda x: x * pdf(x), lo, hi)[0] / z
    var = integrate.quad(lambda x: (x - mean) ** 2 * pdf(x), lo, hi)[0] / z
    return mean, var


CASES.append((TruncatedNormal(0.5, 0.3, 0.2, 1.0), *_truncnorm_moments(0.5, 0.3, 0.2, 1.0)))


@pytest.mark.parametrize("dist,mean,var", CASES, ids=lambda c: getattr(c, "name", ""))
def test_moments_match_within_monte_carlo_error(dist, mean, var):
    x = dist.ppf(_u(11))
    lo, hi = dist.support
    assert lo <= x.min() and x.max() <= hi
    se = math.sqrt(var / N)
    assert abs(x.mean() - mean) < 4 * se
    # sample variance within 4 of its standard errors (fourth moment bounded by range^4)
    assert abs(x.var() - var) < 4 * (hi - lo) ** 2 / math.sqrt(N)
    assert dist.mean() == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert dist.var() == pytest.approx(var, rel=1e-7, abs=1e-12)


def test_ppf_agrees_with_scipy():
    u = np.linspace(0, 1, 101)
    t = Triangular(0.5, 2.0, 4.0)
    np.testing.assert_allclose(t.ppf(u), stats.triang(c=1.5 / 3.5, loc=0.5, scale=3.5).ppf(u), atol=1e-12)
    b = ScaledBeta(6.0, 4.0, 0.3, 0.9)
    np.testing.assert_allclose(b.ppf(u), stats.beta(6, 4, loc=0.3, scale=0.6).ppf(u), atol=1e-12)


def test_choice_frequencies():
    c = Choice((0.0, 0.3, 1.0), (0.2, 0.5, 0.3))
    x = c.ppf(_u(3))
    assert set(np.unique(x)) <= {0.0, 0.3, 1.0}
    for v, p in zip(c.values, c.probabilities):
        assert abs((x == v).mean() - p) < 4 * math.sqrt(p * (1 - p) / N)
    assert c.ppf(np.array([0.0, 1.0])).tolist() == [0.0, 1.0]  # Morris grid ends


finite = dict(allow_nan=False, allow_infinity=False)


@given(a=st.floats(0, 50, **finite), b=st.floats(0, 50, **finite), c=st.floats(0, 1, **finite),
       u=st.lists(st.floats(0, 1, **finite), min_size=1, max_size=20))
def test_triangular_and_uniform_stay_in_support(a, b, c, u):
    lo, hi = min(a, b), max(a, b)
    if not lo < hi:
        return
    mode = lo + c * (hi - lo)
    for d in (Uniform(lo, hi), Triangular(lo, mode, hi), ScaledBeta(0.5 + 3 * c, 2.0, lo, hi)):
        x = d.ppf(np.array(u))
        assert np.all((lo <= x) & (x <= hi))


def test_default_uniform_covers_sponsor_ranges_inside_open_bounds():
    d = default_uniform()
    assert tuple(d) == P.sponsor_keys()
    for k, dist in d.items():
        p = P.get(k)
        assert p.contains(dist.support[0]) and p.contains(dist.support[1])
        assert dist.support[1] - dist.support[0] >= 0.99 * (p.high - p.low)
