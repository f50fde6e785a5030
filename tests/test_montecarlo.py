"""Monte Carlo: estimates against direct evaluation, standard errors, seeding and chunking invariance."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import numpy as np
import pytest

from batna import montecarlo as mc
from batna.errors import ScenarioError
from batna.quantities import evaluate_all
from batna.render import render_json
from batna.scenario import load_scenario
from batna.uncertainty import Choice, Triangular, Uniform, from_scenario

EXAMPLE = "venezuela/2019-barbados-uncertain"
DISTS = {"russia.finance": Triangular(0.0, 2.0, 6.0), "cuba.security": Uniform(0.3, 0.9),
         "us.relief": Choice((0.25, 0.75), (0.5, 0.5))}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def barbados():
    return load_scenario("venezuela/2019-barbados")


def as_json(r) -> str:
    return render_json(r)


def test_estimates_agree_with_direct_evaluation_of_the_same_draws(barbados):
    n = 9000  # three blocks, the last partial
    r = mc.run(barbados, n, 5, dists=DISTS)
    draws = mc.sample(DISTS, n, 5)
    assert all(v.shape == (n,) for v in draws.values())
    q = evaluate_all({**barbados.values, **draws})  # one array, not block by block
    z = q["zopa_exists"]
    assert r.p_zopa.value == z.mean()
    assert r.n_zopa == z.sum()
    assert r.p_engage_engage.value == q["engage_engage_equilibrium"].mean()
    assert r.margin.mean == pytest.approx(q["margin"].mean(), rel=1e-12)
    assert r.margin.sd == pytest.approx(q["margin"].std(ddof=1), rel=1e-12)
    for lvl, v in r.margin.quantiles.items():
        assert v == np.quantile(q["margin"], lvl)
    for k, s in r.outcomes.items():
        assert s.n == z.sum()
        assert s.mean == pytest.approx(q[k][z].mean(), rel=1e-12)
    assert 0 < r.p_zopa.value < 1  # the test above is not vacuous


def test_standard_error_formulas(barbados):
    r = mc.run(barbados, 5000, 1, dists=DISTS)
    p = r.p_zopa.value
    assert r.p_zopa.se == pytest.approx(math.sqrt(p * (1 - p) / 5000), rel=1e-12)
    assert r.margin.se_mean == pytest.approx(r.margin.sd / math.sqrt(5000), rel=1e-12)


def test_standard_errors_match_the_spread_over_replications(barbados):
    """The reported SE of P(ZOPA), of the mean margin and of its median match the sd over 40 seeds."""
    reps = [mc.run(barbados, 1500, s, dists=DISTS) for s in range(40)]
    for est, se in (([r.p_zopa.value for r in reps], [r.p_zopa.se for r in reps]),
                    ([r.margin.mean for r in reps], [r.margin.se_mean for r in reps]),
                    ([r.margin.quantiles[0.5] for r in reps], [r.margin.se_quantiles[0.5] for r in reps])):
        ratio = np.std(est, ddof=1) / np.mean(se)
        assert 0.6 < ratio < 1.5, ratio


def test_bit_identical_for_any_chunking(barbados):
    n = 3 * mc.BLOCK + 17
    ref = as_json(mc.run(barbados, n, 7, dists=DISTS))
    for cs in (1, mc.BLOCK, mc.BLOCK + 1, 2 * mc.BLOCK, 10 ** 6):
        assert as_json(mc.run(barbados, n, 7, dists=DISTS, chunk_size=cs)) == ref, cs
    assert as_json(mc.run(barbados, n, 8, dists=DISTS)) != ref


def test_seed_forms_follow_spec_7(barbados):
    ref = as_json(mc.run(barbados, 3000, 7, dists=DISTS))
    assert as_json(mc.run(barbados, 3000, np.random.SeedSequence(7), dists=DISTS)) == ref
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    a, b = mc.run(barbados, 3000, g1, dists=DISTS), mc.run(barbados, 3000, g2, dists=DISTS)
    assert as_json(a) == as_json(b)
    # the generator was advanced, so a second run from it differs
    assert as_json(mc.run(barbados, 3000, g1, dists=DISTS)) != as_json(a)
    # recorded entropy reproduces a run from a generator
    ss = np.random.SeedSequence(a.seed_entropy, spawn_key=a.seed_spawn_key)
    assert as_json(mc.run(barbados, 3000, ss, dists=DISTS)) == as_json(a)


def test_draws_are_a_prefix_of_longer_runs():
    short, long = mc.sample(DISTS, 5000, 2), mc.sample(DISTS, 12000, 2)
    for k in DISTS:
        np.testing.assert_array_equal(short[k], long[k][:5000])


def test_blocks_are_independent_streams():
    d = {"us.relief": Uniform(0.0, 1.0)}
    x = mc.sample(d, 2 * mc.BLOCK, 0)["us.relief"]
    a, b = x[:mc.BLOCK], x[mc.BLOCK:]
    assert abs(np.corrcoef(a, b)[0, 1]) < 4 / math.sqrt(mc.BLOCK)


def test_dask_cluster_gives_identical_results(barbados):
    distributed = pytest.importorskip("dask.distributed")
    n = 2 * mc.BLOCK + 5
    ref = as_json(mc.run(barbados, n, 7, dists=DISTS))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        for cs in (mc.BLOCK, None):
            got = as_json(mc.run(barbados, n, 7, dists=DISTS, chunk_size=cs, scheduler=client))
            assert got == ref


def test_empty_zopa_gives_null_conditional_summaries(barbados):
    # government.delay_gain cannot move the margin, which is negative at Barbados' values
    r = mc.run(barbados, 100, 0, dists={"government.delay_gain": Uniform(0.0, 0.1)})
    assert r.n_zopa == 0 and r.p_zopa.value == 0.0 and r.p_zopa.se == 0.0
    d = json.loads(as_json(r))
    assert d["outcomes_given_zopa"]["nash.x"]["mean"] is None


def test_example_scenario_and_errors(scenario, barbados):
    r = mc.run(scenario, 2000, 0)
    assert set(r.distributions) == set(from_scenario(scenario))
    with pytest.raises(ScenarioError, match="no \\[uncertainty\\] table"):
        mc.run(barbados, 100, 0)
    with pytest.raises(ScenarioError, match="positive integer"):
        mc.run(scenario, 0, 0)
    with pytest.raises(ScenarioError, match="--chunk-size"):
        mc.run(scenario, 10, 0, chunk_size=0)


def batna_cmd():
    exe = shutil.which("batna")
    return [exe] if exe else [sys.executable, "-m", "batna"]


def test_cli_json_is_deterministic_and_matches_the_api(tmp_path, scenario):
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    base = batna_cmd() + ["montecarlo", EXAMPLE, "-n", "5000", "--seed", "3", "--format", "json"]
    r1 = subprocess.run(base + ["--output", str(out1)], capture_output=True, text=True)
    r2 = subprocess.run(base + ["--output", str(out2), "--chunk-size", "1000"], capture_output=True, text=True)
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert out1.read_bytes() == out2.read_bytes()
    written = json.loads(out1.read_text())
    embedded = written.pop("provenance")  # the CLI adds the machine-independent provenance record
    api = as_json(mc.run(scenario, 5000, 3))
    assert json.dumps(written, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n" == api
    assert embedded["seed"] == {"entropy": 3, "spawn_key": []}
    assert embedded["scenarios"][0]["digest"] == scenario.digest()


@pytest.mark.parametrize("args,needle", [
    (["-n", "0"], "must be >= 1"),
    (["--chunk-size", "x"], "not an integer"),
    (["--seed", "-1"], "must be >= 0"),
    (["--set", "russia.finance=99"], "[0, 50]"),
    (["--scheduler", "yarn"], "invalid choice"),
])
def test_cli_bad_options_exit_2(args, needle, capsys):
    from batna.cli import main

    try:
        code = main(["montecarlo", EXAMPLE] + args)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err


def test_cli_text_output(capsys):
    from batna.cli import main

    assert main(["montecarlo", EXAMPLE, "-n", "100"]) == 0
    out = capsys.readouterr().out
    assert "P(ZOPA exists)" in out and "nash.x | ZOPA" in out


def test_local_cluster_matches_serial(barbados):
    pytest.importorskip("dask.distributed")
    n = mc.BLOCK + 10
    ref = as_json(mc.run(barbados, n, 1, dists=DISTS))
    got = as_json(mc.run(barbados, n, 1, dists=DISTS, scheduler="local", workers=2, chunk_size=1))
    assert got == ref
