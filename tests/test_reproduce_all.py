"""Every command that writes results writes a run manifest, and ``batna reproduce`` reproduces it.

End to end through the real console script (``batna``, or ``python -m batna``)
with ``PYTHONPATH`` pointing at the package under test, in a fresh temporary
directory: each command runs once (module fixture), then ``batna reproduce``
runs on each manifest.  The slower checks of details (Zarr trees, fresh seeds,
embedded provenance) call :func:`batna.cli.main` in-process.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import batna
from batna import provenance as prov
from batna.scenario import load_scenario

from helpers import ROOT, SCENARIOS, batna_cli, batna_command, batna_main, sha256
UNCERTAIN = "2019-barbados-uncertain"










def _copy_scenario(dest: Path) -> Path:
    for name in ("2019-barbados.toml", "_common.toml"):
        shutil.copy(SCENARIOS / name, dest / name)
    return dest / "2019-barbados.toml"


#: name -> (command line, manifest file, every output it must record)
RUNS = {
    "analyse": (["analyse", "2019-barbados", "--format", "json", "--output", "a.json"],
                "a.json.manifest.json", ["a.json"]),
    "plot-frontier": (["plot", "2019-barbados", "--kind", "frontier"],  # default stem: not on the command line
                      "2019-barbados-frontier.png.manifest.json",
                      ["2019-barbados-frontier.png", "2019-barbados-frontier.csv"]),
    "plot-batna-bars": (["plot", "2019-barbados", "--kind", "batna-bars", "--output", "figs/bars",
                         "--format", "svg", "--format", "png"],
                        "figs/bars.svg.manifest.json", ["figs/bars.svg", "figs/bars.png", "figs/bars.csv"]),
    "plot-heatmap": (["plot", "2019-barbados", "--kind", "heatmap", "--x", "russia.finance=0:20:5",
                      "--y", "us.secondary_sanctions=0:1:4", "--output=figs/heat.pdf"],
                     "figs/heat.pdf.manifest.json", ["figs/heat.pdf", "figs/heat.csv"]),
    "plot-rounds": (["plot", "2019-barbados", "--kind", "rounds", "-o", "figs/rounds.png"],
                    "figs/rounds.png.manifest.json", ["figs/rounds.png", "figs/rounds.csv"]),
    "sweep-netcdf": (["sweep", "2019-barbados", "--grid", "russia.finance=0:20:5", "--grid", "cuba.security=0:1:3",
                      "--output", "s.nc"], "s.nc.manifest.json", ["s.nc"]),
    "sweep-csv": (["sweep", "mine.toml", "--grid", "russia.finance=0:20:5", "--set", "us.relief=0.7",
                   "--output", "s.csv", "--chunk-size", "4"], "s.csv.manifest.json", ["s.csv"]),
    "montecarlo": (["montecarlo", UNCERTAIN, "-n", "2000", "--seed", "3", "--format", "json", "--output", "mc.json"],
                   "mc.json.manifest.json", ["mc.json"]),
    "sensitivity": (["sensitivity", UNCERTAIN, "--method", "morris", "-n", "20", "--seed", "1", "--format", "json",
                     "--output", "sens.json"], "sens.json.manifest.json", ["sens.json"]),
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    pytest.importorskip("matplotlib")
    d = tmp_path_factory.mktemp("all")
    (d / "figs").mkdir()
    shutil.copy(_copy_scenario(d), d / "mine.toml")
    # Independent runs: start them all, then wait (the interpreter start-up dominates).
    procs = {name: subprocess.Popen([*batna_command(), *argv], cwd=d, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name, (argv, _, _) in RUNS.items()}
    results = {}
    for name, p in procs.items():
        out, err = p.communicate(timeout=300)
        results[name] = subprocess.CompletedProcess(p.args, p.returncode, out, err)
    return d, results


@pytest.mark.parametrize("name", list(RUNS))
def test_command_writes_a_manifest_that_reproduces(workdir, name):
    d, results = workdir
    argv, manifest, outputs = RUNS[name]
    r = results[name]
    assert r.returncode == 0, r.stderr
    assert f"wrote {manifest}" in r.stderr.splitlines()
    m = json.loads((d / manifest).read_text())
    recorded = {o["path"]: o for o in m["outputs"]}
    assert sorted(Path(p).name for p in recorded) == sorted(Path(p).name for p in outputs)
    for o in outputs:  # each recorded hash is that of the file on disk (hashed here independently)
        rec = next(v for k, v in recorded.items() if Path(k).name == Path(o).name)
        assert rec["sha256"] == sha256(d / o) and rec["bytes"] == (d / o).stat().st_size
    before = {o: sha256(d / o) for o in outputs}
    rep = batna_cli("reproduce", manifest, cwd=d)
    assert rep.returncode == 0, rep.stdout + rep.stderr
    assert rep.stdout.splitlines()[-1] == "reproduced: identical"
    assert {o: sha256(d / o) for o in outputs} == before  # the originals were not rewritten


def test_rounds_manifest_records_every_round_it_read(workdir):
    d, _ = workdir
    m = json.loads((d / RUNS["plot-rounds"][1]).read_text())
    from batna.figures.data import round_names

    hist, cf = round_names()
    assert {s["name"] for s in m["scenarios"]} == {load_scenario(n).name for n in hist + cf}


def test_edited_parameter_changes_sweep_reproduction(tmp_path):
    toml = _copy_scenario(tmp_path)
    argv = ["sweep", toml.name, "--grid", "russia.finance=0:20:3", "--output", "e.csv"]
    assert batna_cli(*argv, cwd=tmp_path).returncode == 0
    text = toml.read_text()
    assert "escalation_credibility = 0.25" in text
    toml.write_text(text.replace("escalation_credibility = 0.25", "escalation_credibility = 0.4"))
    rep = batna_cli("reproduce", "e.csv.manifest.json", cwd=tmp_path)
    assert rep.returncode == 3, rep.stdout + rep.stderr
    out = rep.stdout
    assert f"input changed: {toml.name}" in out
    assert "parameter us.escalation_credibility: recorded 0.25, now 0.4" in out
    assert "output differs: e.csv" in out
    assert "not reproduced: the inputs changed since the run" in out


def test_zarr_store_is_hashed_as_a_tree_and_reproduces(tmp_path):
    pytest.importorskip("zarr")
    argv = ["sweep", "2019-barbados", "--grid", "russia.finance=0:20:5", "--grid", "cuba.security=0:1:3",
            "--output", "z.zarr", "--chunk-size", "6"]
    assert batna_main(*argv, cwd=tmp_path).returncode == 0
    m = json.loads((tmp_path / "z.zarr.manifest.json").read_text())
    (rec,) = m["outputs"]
    store = tmp_path / "z.zarr"
    files = sorted((p for p in store.rglob("*") if p.is_file()), key=lambda p: p.relative_to(store).as_posix())
    tree = hashlib.sha256("".join(f"{p.relative_to(store).as_posix()}\0{sha256(p)}\n" for p in files).encode())
    assert rec["kind"] == "dir" and rec["files"] == len(files) > 1
    assert rec["sha256"] == tree.hexdigest() and rec["bytes"] == sum(p.stat().st_size for p in files)
    rep = batna_main("reproduce", "z.zarr.manifest.json", cwd=tmp_path)
    assert rep.returncode == 0 and rep.stdout.splitlines()[-1] == "reproduced: identical", rep.stdout
    victim = next(p for p in files if p.name != "zarr.json")  # a data chunk
    victim.write_bytes(victim.read_bytes() + b"x")
    rep = batna_main("reproduce", "z.zarr.manifest.json", cwd=tmp_path)
    assert rep.returncode == 1
    assert "output differs: z.zarr: the file on disk was modified after the run" in rep.stdout
    assert f"1 file(s) in the directory differ: {victim.relative_to(store).as_posix()}" in rep.stdout


@pytest.mark.parametrize("command", [["montecarlo", UNCERTAIN, "-n", "500"],
                                     ["sensitivity", UNCERTAIN, "--method", "morris", "-n", "4"]])
def test_fresh_seed_is_printed_recorded_and_repeats_the_run(tmp_path, command):
    r = batna_main(*command, "--format", "json", "--output", "r.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stderr.splitlines() if "no --seed given" in ln)
    seed = int(line.split("using --seed ")[1].split()[0])
    m = json.loads((tmp_path / "r.json.manifest.json").read_text())
    assert m["command"]["argv"][-2:] == ["--seed", str(seed)]
    assert m["seed"]["entropy"] == seed
    out = json.loads((tmp_path / "r.json").read_text())
    assert out["provenance"]["seed"]["entropy"] == seed
    assert int(out.get("seed_entropy", out.get("seed"))) == seed
    again = batna_main(*command, "--format", "json", "--output", "s.json", "--seed", seed, cwd=tmp_path)
    assert again.returncode == 0 and "no --seed given" not in again.stderr
    assert (tmp_path / "s.json").read_bytes() == (tmp_path / "r.json").read_bytes()
    assert batna_main("reproduce", "r.json.manifest.json", cwd=tmp_path).returncode == 0
    other = batna_main(*command, "--format", "json", "--output", "t.json", cwd=tmp_path)  # fresh entropy again
    assert other.returncode == 0 and (tmp_path / "t.json").read_bytes() != (tmp_path / "r.json").read_bytes()


def test_embedded_provenance_is_machine_independent(workdir, tmp_path):
    """Sweep attributes and JSON outputs carry scenario digest, values, overrides, seed; no paths or platform."""
    xr = pytest.importorskip("xarray")
    d, _ = workdir
    with xr.open_dataset(d / "s.nc") as ds:
        emb = json.loads(ds.attrs["provenance"])
    sc = load_scenario("2019-barbados")
    assert emb == {"batna_version": batna.__version__, "seed": None,
                   "scenarios": [{"name": sc.name, "digest": sc.digest(), "values": dict(sc.values),
                                  "overrides": {}}]}
    mc = json.loads((d / "mc.json").read_text())["provenance"]
    unc = load_scenario(UNCERTAIN)
    assert mc["seed"] == {"entropy": 3, "spawn_key": []}
    assert mc["scenarios"][0]["digest"] == unc.digest() and mc["scenarios"][0]["values"] == dict(unc.values)
    text = json.dumps(emb) + json.dumps(mc)
    for machine_dependent in (str(d), str(ROOT), prov.platform_info()["platform"], "python"):
        assert machine_dependent not in text
    # The same sweep written elsewhere, under another name, is byte-identical.
    r = batna_main(*RUNS["sweep-netcdf"][0][:-1], str(tmp_path / "elsewhere.nc"), cwd=tmp_path)
    assert r.returncode == 0 and sha256(tmp_path / "elsewhere.nc") == sha256(d / "s.nc")


def test_compare_and_cite_outputs_reproduce(tmp_path):
    for argv, manifest in ((["compare", "2019-barbados", "2019-secondary-sanctions", "-o", "c.md",
                             "--format", "markdown"], "c.md.manifest.json"),
                           (["cite", "2019-barbados", "--output", "refs.bib"], "refs.bib.manifest.json")):
        r = batna_main(*argv, cwd=tmp_path)
        assert r.returncode == 0 and f"wrote {manifest}" in r.stderr
        m = json.loads((tmp_path / manifest).read_text())
        assert m["outputs"][0]["sha256"] == sha256(tmp_path / manifest.removesuffix(".manifest.json"))
        rep = batna_main("reproduce", manifest, cwd=tmp_path)
        assert rep.returncode == 0 and rep.stdout.splitlines()[-1] == "reproduced: identical"
    names = [s["name"] for s in json.loads((tmp_path / "c.md.manifest.json").read_text())["scenarios"]]
    assert names == [load_scenario("2019-barbados").name, load_scenario("2019-secondary-sanctions").name]
