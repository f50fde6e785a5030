"""Figures: valid files in every format, CSVs that match the report, determinism, CLI errors."""

from __future__ import annotations

import csv
import io
import itertools
import math
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from batna import analyse, load_scenario, model  # noqa: E402
from batna import parameters as _params  # noqa: E402
from batna.cli import main  # noqa: E402
from batna.cli_plot import resolve_output  # noqa: E402
from batna.errors import ScenarioError  # noqa: E402
from batna.figures import FORMATS, KINDS, draw, figure_data, save_figure  # noqa: E402
from batna.figures import style  # noqa: E402
from batna.figures.data import ABSENT, SPONSORS, parse_axis, round_names  # noqa: E402

BARBADOS = "2019-barbados"
OPEN = "counterfactual-sponsor-bargain"  # a bundled scenario with an open ZOPA
#: Options that keep the costlier kinds fast in the tests (sobol: few base samples).
FAST = {"sobol": {"n": 16, "seed": 5}}


def fast_data(kind, sc):
    return figure_data(kind, sc, **FAST.get(kind, {}))


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def num(s: str) -> float:
    return float("nan") if s == "" else float(s)


@pytest.fixture(scope="module")
def barbados():
    sc = load_scenario(BARBADOS)
    return sc, analyse(sc)


@pytest.fixture(scope="module")
def written(tmp_path_factory, barbados):
    """Every kind saved for 2019 Barbados in every format (drawn once for the module)."""
    out = tmp_path_factory.mktemp("figs")
    sc, _ = barbados
    return {k: save_figure(fast_data(k, sc), out / k, FORMATS) for k in KINDS}


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_writes_valid_png_svg_pdf_and_csv(written, kind):
    paths = {p.suffix: p for p in written[kind]}
    assert set(paths) == {".png", ".svg", ".pdf", ".csv"}
    png, svg, pdf = (paths[s].read_bytes() for s in (".png", ".svg", ".pdf"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    rows = read_csv(paths[".csv"])
    assert rows, "CSV has no data rows"


def test_png_is_200_dpi(written):
    import struct

    data = written["frontier"][0].read_bytes()
    i = data.index(b"pHYs")
    ppm_x, ppm_y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1 and round(ppm_x * 0.0254) == style.DPI == round(ppm_y * 0.0254)


@pytest.mark.parametrize("kind, fmt", [("frontier", "svg"), ("heatmap", "pdf"), ("batna-bars", "pdf"),
                                       ("rounds", "svg"), ("tornado", "svg"), ("tornado", "pdf"),
                                       ("sobol", "pdf")])
def test_svg_and_pdf_are_byte_identical_on_rerun(written, barbados, kind, fmt):
    """A fresh figure encodes to the same bytes as the file saved (after other formats) by save_figure."""
    sc, _ = barbados
    saved = next(p for p in written[kind] if p.suffix == f".{fmt}").read_bytes()
    fresh = style.to_bytes(draw(fast_data(kind, sc)), fmt)
    assert fresh == saved
    assert b"CreationDate" not in fresh and b"<dc:date>" not in fresh


def test_csv_is_deterministic(barbados):
    sc, _ = barbados
    for kind in KINDS:
        assert fast_data(kind, sc).to_csv() == fast_data(kind, sc).to_csv()


# --------------------------------------------------------------------------- frontier data


def _frontier_rows(report):
    return read_csv_text(figure_data("frontier", report.scenario, report=report).to_csv())


def read_csv_text(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("name", [BARBADOS, OPEN])
def test_frontier_csv_matches_the_report(name):
    rep = analyse(load_scenario(name))
    d = rep.to_dict()
    rows = _frontier_rows(rep)
    by = {}
    for r in rows:
        by.setdefault(r["row"], []).append(r)
    value = lambda k: num(by[k][0]["value"])  # noqa: E731
    assert value("batna_G") == d["batna"]["government"]["perceived"]
    assert value("batna_O") == d["batna"]["opposition"]["perceived"]
    assert value("batna_O_objective") == d["batna"]["opposition"]["objective"]
    assert value("price_O") == d["batna"]["opposition"]["price"]
    assert value("margin") == d["margin"]
    zopa = [[num(a["x"]), num(b["x"])] for a, b in zip(by.get("zopa_low", []), by.get("zopa_high", []))]
    assert zopa == d["zopa"]
    assert num(by["core_limit"][0]["x"]) == d["parameters"]["government.core_limit"]["value"]
    if d["solutions"]:
        for s, sol in d["solutions"].items():
            assert [num(by[s][0][c]) for c in ("x", "U_G", "U_O")] == [sol["x"], sol["u_G"], sol["u_O"]]
        assert "compromise" not in by
    else:
        assert num(by["compromise"][0]["x"]) == d["compromise_depth"]
        assert not any(s in by for s in ("nash", "kalai_smorodinsky", "rubinstein"))


@pytest.mark.parametrize("name", [BARBADOS, OPEN, "2016-vatican"])
def test_frontier_curves_reproduce_the_margin(name):
    """Independent check: max over the plotted feasible x of min(U_G - B_G, U_O - P_O) is the report's margin."""
    rep = analyse(load_scenario(name))
    rows = _frontier_rows(rep)
    curve = [r for r in rows if r["row"] == "curve"]
    x = np.array([num(r["x"]) for r in curve])
    uG = np.array([num(r["U_G"]) for r in curve])
    uO = np.array([num(r["U_O"]) for r in curve])
    assert x[0] == 0 and x[-1] == 1 and np.all(np.diff(x) >= 0)
    feasible = x <= rep.values["government.core_limit"]
    gap = np.minimum(uG - rep.batna["government"]["perceived"], uO - rep.batna["opposition"]["price"])
    best = gap[feasible].max()
    step = np.diff(x).max()
    assert best <= rep.margin + 1e-9
    assert best >= rep.margin - 2 * step  # slopes are at most 1 in x


def test_frontier_curve_includes_exact_breakpoints(barbados):
    sc, rep = barbados
    xs = {num(r["x"]) for r in _frontier_rows(rep) if r["row"] == "curve"}
    for key in ("us.relief_threshold", "opposition.hardliner_floor", "government.core_limit"):
        assert sc.values[key] in xs


# --------------------------------------------------------------------------- sponsor bars


def _bars(name):
    sc = load_scenario(name)
    rows = read_csv_text(figure_data("batna-bars", sc).to_csv())
    out: dict = {}
    for r in rows:
        out.setdefault(r["quantity"], {})[r["component"]] = num(r["value"])
    return sc, out


@pytest.mark.parametrize("name", [BARBADOS, "2014-unasur-vatican", "2019-secondary-sanctions"])
def test_sponsor_contributions_add_up_to_the_report(name):
    sc, bars = _bars(name)
    d = analyse(sc).to_dict()
    report_value = {"batna_G": d["batna"]["government"]["perceived"],
                    "batna_O": d["batna"]["opposition"]["perceived"], "margin": d["margin"]}
    for q, comp in bars.items():
        assert comp["all"] == report_value[q]
        total = sum(comp[s] for s in SPONSORS)
        assert math.isclose(total, comp["all"] - comp["baseline"], rel_tol=0, abs_tol=1e-10)
        assert comp["subset:none"] == comp["baseline"]
        assert comp["subset:" + "+".join(SPONSORS)] == comp["all"]


def test_no_sponsor_baseline_equals_the_no_sponsors_counterfactual():
    """The bundled counterfactual removes every sponsor independently of ABSENT: same BATNAs and margin."""
    _, bars = _bars(BARBADOS)
    cf = analyse(load_scenario("counterfactual-no-sponsors")).to_dict()
    assert math.isclose(bars["batna_G"]["baseline"], cf["batna"]["government"]["perceived"], abs_tol=1e-11)
    assert math.isclose(bars["batna_O"]["baseline"], cf["batna"]["opposition"]["perceived"], abs_tol=1e-11)
    assert math.isclose(bars["margin"]["baseline"], cf["margin"], abs_tol=1e-11)


def test_shapley_values_match_an_average_over_arrival_orders():
    """Independent algorithm: average each sponsor's marginal effect over all 24 orders, scalar model calls."""
    sc, bars = _bars(BARBADOS)

    def worth(present):
        v = dict(sc.values)
        for sp in SPONSORS:
            if sp not in present:
                v.update(ABSENT[sp])
        r = model.evaluate(v)
        return {"batna_G": float(r.batna_G), "batna_O": float(r.batna_O), "margin": float(r.margin)}

    cache = {}
    get = lambda s: cache.setdefault(frozenset(s), worth(s))  # noqa: E731
    orders = list(itertools.permutations(SPONSORS))
    for q in ("batna_G", "batna_O", "margin"):
        for sp in SPONSORS:
            phi = sum(get(o[:o.index(sp) + 1])[q] - get(o[:o.index(sp)])[q] for o in orders) / len(orders)
            assert math.isclose(bars[q][sp], phi, abs_tol=1e-11), (q, sp)


def test_absent_values_cover_each_sponsor_and_are_valid():
    for sp in SPONSORS:
        keys = {p.key for p in _params.PARAMETERS if p.actor == sp}
        assert set(ABSENT[sp]) == keys
        for k, v in ABSENT[sp].items():
            assert _params.check_value(k, v) is None


# --------------------------------------------------------------------------- heatmap


def test_heatmap_value_at_the_scenario_point_is_the_report_margin(barbados):
    sc, rep = barbados
    d = figure_data("heatmap", sc)
    kx, ky = d.columns[:2]
    hits = [r for r in read_csv_text(d.to_csv())
            if num(r[kx]) == sc.values[kx] and num(r[ky]) == sc.values[ky]]
    assert len(hits) == 1
    assert num(hits[0]["margin"]) == rep.to_dict()["margin"]


def test_heatmap_inserts_an_off_grid_scenario_point_and_matches_overridden_reports():
    sc = load_scenario(BARBADOS, ["russia.finance=3.3", "us.relief=0.4"])
    x, y = parse_axis("russia.finance=0:20:5"), parse_axis("us.relief=0:1:3", "--y")
    rows = read_csv_text(figure_data("heatmap", sc, x=x, y=y).to_csv())
    xs = sorted({num(r["russia.finance"]) for r in rows})
    ys = sorted({num(r["us.relief"]) for r in rows})
    assert xs == [0.0, 3.3, 5.0, 10.0, 15.0, 20.0] and ys == [0.0, 0.4, 0.5, 1.0]
    assert len(rows) == 6 * 4
    for r in rows[::5]:  # spot-check grid points against full reports of the same parameters
        rep = analyse(load_scenario(BARBADOS, {"russia.finance": num(r["russia.finance"]),
                                               "us.relief": num(r["us.relief"])}))
        assert num(r["margin"]) == rep.to_dict()["margin"]
        assert r["zopa_exists"] == ("1" if rep.zopa_exists else "0")


@pytest.mark.parametrize("spec", ["russia.finance", "russia.finance=0:20", "nope.key=0:1:5",
                                  "russia.finance=a:b:5", "russia.finance=0:99:5", "russia.finance=5:1:5",
                                  "russia.finance=0:20:1", "russia.finance=0:20:2.5"])
def test_bad_axis_specs_raise_scenario_error(spec):
    with pytest.raises(ScenarioError, match="--x"):
        parse_axis(spec)


def test_heatmap_rejects_the_same_parameter_twice(barbados):
    sc, _ = barbados
    with pytest.raises(ScenarioError, match="two different"):
        figure_data("heatmap", sc, x=parse_axis("cuba.security=0:1:3"), y=parse_axis("cuba.security=0:1:3"))


# --------------------------------------------------------------------------- rounds


def test_rounds_csv_matches_each_scenarios_report(barbados):
    sc, _ = barbados
    rows = read_csv_text(figure_data("rounds", sc).to_csv())
    hist, cf = round_names()
    assert [r["scenario"] for r in rows] == hist + cf
    assert len(hist) == 5 and len(cf) >= 5
    dates = [load_scenario(n).meta["date"] for n in hist]
    assert dates == sorted(dates)
    for r in rows:
        d = analyse(load_scenario(r["scenario"])).to_dict()
        assert num(r["margin"]) == d["margin"]
        assert num(r["batna_G"]) == d["batna"]["government"]["perceived"]
        assert num(r["batna_O"]) == d["batna"]["opposition"]["perceived"]
        assert num(r["price_O"]) == d["batna"]["opposition"]["price"]


def test_rounds_adds_a_modified_scenario_as_its_own_row():
    sc = load_scenario(BARBADOS, ["us.relief=0.9"])
    rows = read_csv_text(figure_data("rounds", sc).to_csv())
    assert rows[-1]["group"] == "yours"
    assert num(rows[-1]["margin"]) == analyse(sc).to_dict()["margin"]


# --------------------------------------------------------------------------- CLI


def run_cli(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    return code, capsys.readouterr()


def test_cli_writes_figure_and_csv(tmp_path, capsys):
    code, out = run_cli(["plot", BARBADOS, "--kind", "frontier", "--output", str(tmp_path / "f.svg")], capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "f.svg", "f.svg.manifest.json"]
    assert f"wrote {tmp_path / 'f.svg'}" in out.err


def test_cli_repeated_formats_and_overrides(tmp_path, capsys):
    code, _ = run_cli(["plot", BARBADOS, "--kind", "frontier", "--set", "us.relief=0.9", "--format", "svg",
                       "--format", "pdf", "--format", "svg", "--output", str(tmp_path / "r")], capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.pdf", "r.svg", "r.svg.manifest.json"]
    margin = next(r for r in read_csv(tmp_path / "r.csv") if r["row"] == "margin")
    assert num(margin["value"]) == analyse(load_scenario(BARBADOS, ["us.relief=0.9"])).to_dict()["margin"]


@pytest.mark.parametrize("argv, message", [
    (["--kind", "tornad"], "invalid choice"),
    (["--kind", "bogus"], "invalid choice"),
    (["--kind", "heatmap", "--x", "russia.finance=0:20"], "KEY=LOW:HIGH:N"),
    (["--kind", "heatmap", "--y", "us.secondary_sanctions=0:2:5"], "out of range"),
    (["--kind", "heatmap", "--x", "russia.financ=0:1:5"], "did you mean"),
    (["--kind", "frontier", "--x", "russia.finance=0:20:5"], "only to --kind heatmap"),
    (["--kind", "frontier", "--output", "f.png", "--format", "pdf"], "give a stem"),
    (["--kind", "frontier", "--output", "f.csv"], "CSV is always written"),
    (["--kind", "frontier", "--set", "russia.finance=-1"], "out of range"),
    (["--kind", "frontier", "--format", "jpg"], "invalid choice"),
])
def test_cli_user_errors_exit_2_with_a_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = run_cli(["plot", BARBADOS, *argv], capsys)
    assert code == 2
    assert message in out.err
    assert "Traceback" not in out.err
    assert not list(tmp_path.iterdir())


def test_cli_without_matplotlib_exits_2_with_install_hint(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    code, out = run_cli(["plot", BARBADOS, "--kind", "frontier"], capsys)
    assert code == 2
    assert "matplotlib" in out.err and "batna[plot]" in out.err
    code, out = run_cli(["analyse", BARBADOS, "--plot"], capsys)
    assert code == 2 and "batna[plot]" in out.err
    code, out = run_cli(["analyse", BARBADOS], capsys)  # analysis itself does not need matplotlib
    assert code == 0 and "NO AGREEMENT" in out.out


def test_analyse_plot_writes_frontier_beside_the_output(tmp_path, capsys):
    code, _ = run_cli(["analyse", BARBADOS, "--plot", "--format", "json", "--output", str(tmp_path / "b.json")],
                      capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b-frontier.csv", "b-frontier.png", "b.json", "b.json.manifest.json"]
    import json

    rep = json.loads((tmp_path / "b.json").read_text())
    rows = read_csv(tmp_path / "b-frontier.csv")
    assert num(next(r for r in rows if r["row"] == "margin")["value"]) == rep["margin"]


def test_resolve_output():
    assert resolve_output(None, None, "s-k") == (resolve_output("s-k", None, "x")[0], ["png"])
    stem, fmts = resolve_output("out/fig.PDF", None, "x")
    assert (str(stem), fmts) == ("out/fig", ["pdf"])
    stem, fmts = resolve_output("fig.v2", ["svg", "all", "svg"], "x")
    assert (str(stem), fmts) == ("fig.v2", ["svg", "png", "pdf"])
    assert resolve_output("fig.png", ["png"], "x")[1] == ["png"]


# --------------------------------------------------------------------------- tornado and sobol

UNCERTAIN = "2019-barbados-uncertain"  # a bundled scenario with an [uncertainty] table


def _r12(v: float) -> float:
    """A float as the CSV writes it (12 significant digits)."""
    return float(f"{v:.12g}")


@pytest.mark.parametrize("name", [BARBADOS, UNCERTAIN])
def test_tornado_csv_equals_the_sensitivity_tornado(name):
    from batna import sensitivity

    sc = load_scenario(name)
    rows = read_csv_text(figure_data("tornado", sc).to_csv())
    # What `batna sensitivity` reports as its tornado (a cheap Morris run carries the same rows).
    expected = sensitivity.run(sc, "morris", 2, 1).tornado
    assert [r["key"] for r in rows] == [t["key"] for t in expected]
    for r, t in zip(rows, expected):
        for col in ("low", "high", "margin_low", "margin_high", "swing"):
            assert num(r[col]) == _r12(t[col]), (r["key"], col)
        assert num(r["value"]) == sc.values[r["key"]]
    swings = [num(r["swing"]) for r in rows]
    assert swings == sorted(swings, reverse=True)


@pytest.mark.parametrize("name", [BARBADOS, UNCERTAIN])
def test_tornado_ends_match_reports_and_bracket_the_margin_where_monotone(name):
    """Independent path: each bar end is the margin of a full report with that one parameter moved."""
    sc = load_scenario(name)
    report_margin = analyse(sc).to_dict()["margin"]
    rows = read_csv_text(figure_data("tornado", sc).to_csv())
    checked = 0
    for r in rows:
        key, low, high = r["key"], num(r["low"]), num(r["high"])
        assert num(r["margin"]) == report_margin
        for end, v in (("margin_low", low), ("margin_high", high)):
            rep = analyse(load_scenario(name, {key: v}))
            assert math.isclose(num(r[end]), rep.margin, rel_tol=1e-11, abs_tol=1e-12), (key, end)
        # Where the margin is monotone in the parameter, the scenario's margin lies between the bar's ends.
        grid = np.linspace(low, high, 41)
        own = sc.values[key]
        m = np.array([model.evaluate({**sc.values, key: g}).margin for g in np.append(grid, own)], dtype=float)
        steps = np.diff(m[:-1])
        if low <= own <= high and (np.all(steps >= -1e-12) or np.all(steps <= 1e-12)):
            lo, hi = sorted((num(r["margin_low"]), num(r["margin_high"])))
            assert lo - 1e-12 <= report_margin <= hi + 1e-12, key
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("name, n, seed", [(UNCERTAIN, 32, 7), (BARBADOS, 16, 3)])
def test_sobol_csv_equals_the_sensitivity_indices_for_the_same_seed(name, n, seed):
    from batna import sensitivity

    sc = load_scenario(name)
    d = figure_data("sobol", sc, n=n, seed=seed)
    rows = read_csv_text(d.to_csv())
    res = sensitivity.run(sc, "sobol", n, seed)
    expected = [(o, r) for o in sensitivity.OUTPUTS for r in res.indices[o]]
    assert len(rows) == len(expected) == 2 * len(res.parameters)
    for row, (o, r) in zip(rows, expected):
        assert (row["output"], row["key"]) == (o, r["key"])
        for col in ("S1", "S1_conf", "ST", "ST_conf"):
            want = r[col]
            assert (math.isnan(num(row[col])) and math.isnan(want)) or num(row[col]) == _r12(want), (o, col)
    assert (d.meta["n"], d.meta["seed"], d.meta["runs"]) == (n, seed, res.runs)
    assert figure_data("sobol", sc, n=n, seed=seed).to_csv() == d.to_csv()  # intervals too
    assert figure_data("sobol", sc, n=n, seed=seed + 1).to_csv() != d.to_csv()  # the seed is used


def test_sobol_rejects_seed_zero_and_bad_n():
    sc = load_scenario(UNCERTAIN)
    with pytest.raises(ScenarioError, match="positive integer"):
        figure_data("sobol", sc, n=16, seed=0)
    with pytest.raises(ScenarioError, match="power of 2"):
        figure_data("sobol", sc, n=24, seed=1)


def test_cli_sobol_writes_the_indices_of_batna_sensitivity(tmp_path, capsys):
    code, _ = run_cli(["plot", UNCERTAIN, "--kind", "sobol", "-n", "16", "--seed", "4", "--output",
                       str(tmp_path / "s.svg")], capsys)
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.svg", "s.svg.manifest.json"]
    code, out = run_cli(["sensitivity", UNCERTAIN, "-n", "16", "--seed", "4", "--format", "json"], capsys)
    assert code == 0
    import json

    want = json.loads(out.out)["indices"]["margin"]
    got = [r for r in read_csv(tmp_path / "s.csv") if r["output"] == "margin"]
    assert [r["key"] for r in got] == [w["key"] for w in want]
    assert [num(r["ST"]) for r in got] == pytest.approx([w["ST"] for w in want], rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("argv, message", [
    (["--kind", "sobol", "-n", "100"], "power of 2"),
    (["--kind", "sobol", "-n", "1"], ">= 2"),
    (["--kind", "sobol", "-n", "0"], "must be >= 1"),
    (["--kind", "sobol", "-n", "-4"], "must be >= 1"),
    (["--kind", "sobol", "-n", "many"], "not an integer"),
    (["--kind", "sobol", "-n", "16", "--seed", "0"], "positive integer"),
    (["--kind", "sobol", "--seed", "-1"], "must be >= 0"),
    (["--kind", "tornado", "-n", "16"], "only to --kind sobol"),
    (["--kind", "frontier", "--seed", "3"], "only to --kind sobol"),
    (["--kind", "tornado", "--x", "russia.finance=0:20:5"], "only to --kind heatmap"),
])
def test_cli_bad_sobol_options_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = run_cli(["plot", UNCERTAIN, *argv], capsys)
    assert code == 2
    assert message in out.err
    assert "Traceback" not in out.err
    assert not list(tmp_path.iterdir())
