"""Tests of grid sweeps: values against the one-point report, determinism, resume, Dask, CLI errors."""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from batna import analyse, load_scenario
from batna.chunks import plan_chunks
from batna.errors import ScenarioError
from batna.model import BINDING
from batna.parameters import BY_KEY
from batna.quantities import QUANTITIES
from batna.sweep import SweepStopped, sweep, sweep_to_file

SCENARIOS = ("2019-barbados", "counterfactual-sponsor-bargain", "counterfactual-no-sponsors")
GRID = {"russia.finance": "0:20:5", "cuba.security": "0:1:4", "mediator.enforcement": "0.2:1:3"}
SMALL = {"russia.finance": "0:20:9", "us.secondary_sanctions": "0:1:7"}

_cache: dict = {}


def _sweep(name):
    if name not in _cache:
        _cache[name] = sweep(name, GRID)
    return _cache[name]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("name", SCENARIOS)
def test_grid_mixes_open_and_closed_zopas(name):
    # The point-wise comparison below is only informative if both cases occur.
    ds = _sweep(name)
    assert ds.zopa_exists.any() and not ds.zopa_exists.all()


@given(name=st.sampled_from(SCENARIOS), i=st.integers(0, 4), j=st.integers(0, 3), k=st.integers(0, 2))
def test_sweep_point_equals_report(name, i, j, k):
    ds = _sweep(name)
    pt = ds.isel({"russia.finance": i, "cuba.security": j, "mediator.enforcement": k})
    overrides = {key: float(pt[key]) for key in GRID}
    assert overrides["russia.finance"] == np.linspace(0, 20, 5)[i]
    rep = analyse(load_scenario(name, overrides=overrides))
    close = dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(float(pt.margin), rep.margin, **close)
    np.testing.assert_allclose(float(pt.margin_objective), rep.margin_objective, **close)
    np.testing.assert_allclose(float(pt.batna_G), rep.batna["government"]["perceived"], **close)
    np.testing.assert_allclose(float(pt.batna_O), rep.batna["opposition"]["perceived"], **close)
    np.testing.assert_allclose(float(pt.price_O), rep.batna["opposition"]["price"], **close)
    np.testing.assert_allclose(float(pt.p), rep.lottery["p"], **close)
    assert bool(pt.zopa_exists) == rep.zopa_exists
    if rep.zopa:
        np.testing.assert_allclose(float(pt.zopa_low), rep.zopa[0][0], **close)
        np.testing.assert_allclose(float(pt.zopa_high), rep.zopa[-1][1], **close)
        np.testing.assert_allclose(float(pt.zopa_width), sum(b - a for a, b in rep.zopa), **close)
        np.testing.assert_allclose(float(pt["nash.x"]), rep.solutions["nash"]["x"], **close)
        np.testing.assert_allclose(float(pt["rubinstein.x"]), rep.solutions["rubinstein"]["x"], **close)
    else:
        assert math.isnan(float(pt.zopa_low)) and math.isnan(float(pt.zopa_high))
        assert math.isnan(float(pt["nash.x"]))
    assert bool(pt.verdict_G) == rep.verdict["government"]
    assert bool(pt.verdict_O) == rep.verdict["opposition"]
    np.testing.assert_allclose(float(pt.compromise_x), rep.verdict["at_depth"], **close)
    assert BINDING[int(pt.binding)] == rep.binding
    assert bool(pt.engage_engage_equilibrium) == rep.game["engage_engage_is_equilibrium"]
    assert bool(pt.government_stalls_vs_engage) == rep.game["government_stall_best_response_to_engage"]


def test_unswept_values_come_from_scenario_and_overrides():
    # us.relief fixed by --set must change the result exactly as in the one-point report.
    ds = sweep("2019-barbados", {"cuba.security": [0.0, 0.5]}, ["us.relief=1"])
    rep = analyse(load_scenario("2019-barbados", overrides={"us.relief": 1.0, "cuba.security": 0.5}))
    np.testing.assert_allclose(float(ds.margin[1]), rep.margin, rtol=1e-12, atol=1e-14)
    assert ds.attrs["overrides"] == '{"us.relief":1.0}'


def test_dataset_layout_and_metadata():
    ds = _sweep("2019-barbados")
    sc = load_scenario("2019-barbados")
    assert tuple(ds.dims) == tuple(GRID)
    assert set(ds.data_vars) == set(QUANTITIES)
    for key in GRID:
        assert ds[key].attrs["units"] == BY_KEY[key].unit
        assert ds[key].attrs["description"] == BY_KEY[key].meaning
    for name, (unit, desc) in QUANTITIES.items():
        assert ds[name].attrs["units"] == unit and ds[name].attrs["description"] == desc
    assert list(ds.binding.attrs["flag_values"]) == list(range(len(BINDING)))
    assert len(ds.binding.attrs["flag_meanings"].split()) == len(BINDING)
    assert ds.attrs["scenario_digest"] == sc.digest()
    assert ds.attrs["seed"] == "none"
    assert ds.attrs["grid"] == '{"russia.finance":"0:20:5","cuba.security":"0:1:4","mediator.enforcement":"0.2:1:3"}'
    np.testing.assert_array_equal(ds["mediator.enforcement"].values, np.linspace(0.2, 1, 3))


# --------------------------------------------------------------------------- chunking


@given(shape=st.lists(st.integers(1, 7), min_size=1, max_size=4), chunk=st.integers(1, 60))
def test_chunk_plan_tiles_the_grid_in_c_order(shape, chunk):
    plan = plan_chunks(shape, chunk)
    seen = np.zeros(shape, dtype=int)
    flat = np.arange(math.prod(shape)).reshape(shape)
    pos = 0
    for i in range(len(plan)):
        reg = plan.region(i)
        seen[reg] += 1
        a, b = plan.flat_range(i)
        assert a == pos and np.array_equal(flat[reg].ravel(), np.arange(a, b))
        assert b - a <= max(chunk, shape[-1])
        pos = b
    assert pos == math.prod(shape) and (seen == 1).all()


def test_chunked_equals_unchunked_bytes(tmp_path):
    outs = []
    for cs in (1_000_000, 7, 64):
        out = tmp_path / f"c{cs}.nc"
        sweep_to_file("2019-barbados", GRID, out, chunk_size=cs)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert not list(tmp_path.glob("*.partial"))
    on_disk = xr.open_dataset(tmp_path / "c7.nc")
    assert on_disk.identical(_sweep("2019-barbados"))


def test_dask_local_cluster_equals_in_process(tmp_path):
    import dask.distributed  # noqa: F401 - in the test extra: fail, don't skip, if missing
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    sweep_to_file("2019-barbados", SMALL, a, chunk_size=10)
    sweep_to_file("2019-barbados", SMALL, b, chunk_size=10, scheduler="local", workers=2)
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- formats


def test_csv_and_netcdf_match(tmp_path):
    nc, cs = tmp_path / "s.nc", tmp_path / "s.csv"
    sweep_to_file("2019-barbados", SMALL, nc, chunk_size=5)
    sweep_to_file("2019-barbados", SMALL, cs, chunk_size=5)
    ds = xr.open_dataset(nc)
    with open(cs, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header[:2] == list(SMALL) and set(header[2:]) == set(QUANTITIES)
    assert len(body) == ds.sizes["russia.finance"] * ds.sizes["us.secondary_sanctions"]
    for c, name in enumerate(header):
        want = ds[name].values if name in SMALL else ds[name].values.ravel()
        if name in SMALL:  # coordinates, repeated in C order
            grids = np.meshgrid(ds["russia.finance"].values, ds["us.secondary_sanctions"].values, indexing="ij")
            want = grids[list(SMALL).index(name)].ravel()
        col = [r[c] for r in body]
        if want.dtype == bool:
            assert col == ["1" if v else "0" for v in want]
        else:
            assert col == [repr(v.item()) for v in want]  # repr-style, bit-exact round trip
            np.testing.assert_array_equal(np.array(col, dtype=float), want)


def test_zarr_matches_netcdf_and_is_deterministic(tmp_path):
    nc = tmp_path / "s.nc"
    sweep_to_file("2019-barbados", SMALL, nc)
    trees = []
    for name, cs in (("a.zarr", 21), ("b.zarr", 21), ("c.zarr", 5)):
        sweep_to_file("2019-barbados", SMALL, tmp_path / name, chunk_size=cs)
        root = tmp_path / name
        trees.append({p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]  # same chunking: same bytes
    assert trees[0] != trees[2]  # the store's chunking follows --chunk-size ...
    ref = xr.open_dataset(nc)
    for name in ("a.zarr", "c.zarr"):  # ... but the values never do
        assert xr.open_dataset(tmp_path / name, engine="zarr").identical(ref)


# --------------------------------------------------------------------------- interrupt and resume


@pytest.mark.parametrize("suffix", [".nc", ".csv", ".zarr"])
def test_interrupt_then_resume_equals_uninterrupted(tmp_path, suffix):
    ref, out = tmp_path / f"ref{suffix}", tmp_path / f"out{suffix}"
    sweep_to_file("2019-barbados", SMALL, ref, chunk_size=9)
    with pytest.raises(SweepStopped):
        sweep_to_file("2019-barbados", SMALL, out, chunk_size=9, stop_after=3)
    assert not out.exists()  # no half-written output
    partial = Path(str(out) + ".partial")
    assert partial.is_dir()
    resumed = []
    sweep_to_file("2019-barbados", SMALL, out, chunk_size=9, resume=True, log=resumed.append)
    n_chunks = len(plan_chunks((9, 7), 9))
    assert n_chunks > 3
    assert any(f"3 of {n_chunks} chunks" in m for m in resumed), resumed
    assert not partial.exists()
    if suffix == ".zarr":
        assert xr.open_dataset(out, engine="zarr").identical(xr.open_dataset(ref, engine="zarr"))
        files = lambda r: {p.relative_to(r).as_posix(): p.read_bytes() for p in r.rglob("*") if p.is_file()}  # noqa: E731
        assert files(out) == files(ref)
    else:
        assert out.read_bytes() == ref.read_bytes()


def test_resume_refuses_a_different_sweep(tmp_path):
    out = tmp_path / "s.nc"
    with pytest.raises(SweepStopped):
        sweep_to_file("2019-barbados", SMALL, out, chunk_size=9, stop_after=1)
    with pytest.raises(ScenarioError, match="different sweep.*overrides"):
        sweep_to_file("2019-barbados", SMALL, out, ["us.relief=0.5"], chunk_size=9, resume=True)
    with pytest.raises(ScenarioError, match="different sweep.*scenario"):
        sweep_to_file("2016-vatican", SMALL, out, chunk_size=9, resume=True)


# --------------------------------------------------------------------------- command line


def _batna(*args, env=None, cwd=None):
    exe = shutil.which("batna")
    cmd = [exe] if exe else [sys.executable, "-m", "batna"]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)


BAD_GRIDS = [
    (["--grid", "russia.financ=0:1:3"], ["unknown parameter", "did you mean 'russia.finance'"]),
    (["--grid", "russia.finance=0:60:3"], ["STOP = 60", "out of range", "[0, 50]", "USD bn/yr"]),
    (["--grid", "mediator.enforcement=0:1:3"], ["START = 0", "(0, 1]"]),
    (["--grid", "russia.finance=0:1:0"], ["NUM = 0", "at least 1"]),
    (["--grid", "russia.finance=0:1"], ["malformed", "START:STOP:NUM"]),
    (["--grid", "russia.finance=a:1:3"], ["START 'a' is not a number"]),
    (["--grid", "russia.finance=0:1:2.5"], ["NUM '2.5' is not an integer"]),
    (["--grid", "russia.finance"], ["KEY=START:STOP:NUM"]),
    (["--grid", "russia.finance=0:1:3", "--grid", "russia.finance=0:2:3"], ["swept twice"]),
    (["--grid", "russia.finance=0:1:3", "--set", "russia.finance=2"], ["also fixed with --set"]),
]


@pytest.mark.parametrize("args,fragments", BAD_GRIDS)
def test_cli_bad_grid_exits_2(tmp_path, args, fragments):
    r = _batna("sweep", "2019-barbados", *args, "-o", str(tmp_path / "x.nc"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in r.stderr, r.stderr
    assert not (tmp_path / "x.nc").exists()


def test_cli_sweep_interrupt_resume_and_refusal(tmp_path):
    args = ["sweep", "2019-barbados", "--grid", "russia.finance=0:20:9", "--grid",
            "us.secondary_sanctions=0:1:7", "--chunk-size", "9", "--quiet"]
    r = _batna(*args, "-o", "ref.csv", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr  # --quiet: nothing on stderr
    r = _batna(*args, "-o", "out.csv", env={"BATNA_SWEEP_STOP_AFTER": "2"}, cwd=tmp_path)
    assert r.returncode == 130 and not (tmp_path / "out.csv").exists()
    r = _batna(*args, "--set", "us.relief=0.3", "-o", "out.csv", "--resume", cwd=tmp_path)
    assert r.returncode == 2 and "cannot resume" in r.stderr and "us.relief" in r.stderr
    r = _batna(*args, "-o", "out.csv", "--resume", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    ds = xr.open_dataset(_write_nc(tmp_path))
    assert ds.sizes == {"russia.finance": 9, "us.secondary_sanctions": 7}


def _write_nc(tmp_path):
    r = _batna("sweep", "2019-barbados", "--grid", "russia.finance=0:20:9", "--grid",
               "us.secondary_sanctions=0:1:7", "-o", "s.nc", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "wrote s.nc" in r.stderr
    return tmp_path / "s.nc"


def test_api_rejects_bad_array_grids():
    with pytest.raises(ScenarioError, match="out of range"):
        sweep("2019-barbados", {"cuba.security": [0.0, 1.5]})
    with pytest.raises(ScenarioError, match="non-empty 1-D"):
        sweep("2019-barbados", {"cuba.security": []})
    with pytest.raises(ScenarioError, match="nothing to sweep"):
        sweep("2019-barbados", {})


# --------------------------------------------------------------------------- progress bar


class _Stream:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_bar_only_on_a_terminal_and_after_the_delay():
    from batna.progress import Progress

    tty, pipe, quiet = _Stream(True), _Stream(False), _Stream(True)
    for stream, enabled in ((tty, True), (pipe, True), (quiet, False)):
        bar = Progress(200, enabled=enabled, stream=stream, delay=0.0)
        bar.update(50)
        bar.update(150)
        bar.close()
    assert pipe.text == "" and quiet.text == ""
    assert "100.0%" in tty.text and "200/200 points" in tty.text and tty.text.endswith("\n")
    slow = _Stream(True)
    bar = Progress(10, stream=slow, delay=3600)  # a run shorter than the delay draws nothing
    bar.update(10)
    bar.close()
    assert slow.text == ""


def test_bad_options_are_scenario_errors(tmp_path):
    with pytest.raises(ScenarioError, match="chunk-size"):
        sweep("2019-barbados", SMALL, chunk_size=0)
    with pytest.raises(ScenarioError, match="scheduler"):
        sweep("2019-barbados", SMALL, scheduler="udp://nowhere")
    with pytest.raises(ScenarioError, match="format"):
        sweep_to_file("2019-barbados", SMALL, tmp_path / "x.nc", fmt="hdf")
    r = _batna("sweep", "2019-barbados", "--grid", "cuba.security=0:1:3", "--workers", "0", cwd=tmp_path)
    assert r.returncode == 2 and "--workers 0" in r.stderr
