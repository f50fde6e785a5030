"""The data table behind every figure, computed from batna's own engine.

Each function here returns a :class:`FigureData`: the rows written to the
figure's ``<stem>.csv`` and the few extra facts (labels, units, the scenario's
own point) the drawing code needs.  No model mathematics lives here: every
number comes from :func:`batna.model.evaluate` / :func:`batna.model.utilities`,
:func:`batna.quantities.evaluate_all` or :func:`batna.report.analyse`, so a
figure shows exactly what ``batna analyse`` reports.  The drawing code in
:mod:`batna.figures.kinds` reads a ``FigureData`` and computes nothing.

Floats are written to CSV with :data:`batna.report.JSON_DIGITS` (12)
significant digits, the rounding of the JSON report, so a CSV value equals the
corresponding ``Report.to_dict()`` value exactly.

Sponsor decomposition (``batna-bars``)
--------------------------------------
The four sponsors are the United States, Russia, China and Cuba
(:data:`SPONSORS`).  A sponsor is *absent* when its parameters take the values
in :data:`ABSENT` (all zero: no sanctions, relief, red line, escalation or
support from the US; no finance or evasion from Russia or China; no Cuban
security support).  For every subset S of sponsors the model is evaluated with
the sponsors outside S absent (16 subsets, one vectorised call of
:func:`batna.quantities.evaluate_all`), giving v(S) for each quantity (B_G, B_O,
margin).  Sponsor i's contribution is its Shapley value (Shapley 1953)

.. math::

    \\phi_i = \\sum_{S \\subseteq N \\setminus \\{i\\}}
              \\frac{|S|!\\,(n-|S|-1)!}{n!}\\,[v(S \\cup \\{i\\}) - v(S)],

the average, over every order in which the sponsors could arrive, of what
sponsor i adds when it arrives.  The contributions sum exactly to
v(all) - v(none) (efficiency), so the bars run from the no-sponsor baseline to
the scenario's own value.  The Shapley value is used because the model is not
additive in the sponsors (Russian finance matters less once secondary
sanctions bite, Cuban security scales every other hazard): a one-at-a-time
decomposition would not add up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import model, quantities, sensitivity
from .. import parameters as _params
from ..errors import ScenarioError
from ..report import JSON_DIGITS, Report, analyse
from ..scenario import Scenario, bundled_scenarios, load_scenario

__all__ = [
    "FigureData",
    "SPONSORS",
    "ABSENT",
    "Axis",
    "parse_axis",
    "DEFAULT_X",
    "DEFAULT_Y",
    "frontier",
    "batna_bars",
    "heatmap",
    "rounds",
    "tornado",
    "sobol",
    "SOBOL_N",
    "SOBOL_SEED",
    "fmt",
]

#: The sponsors the ``batna-bars`` decomposition switches on and off, in display order.
SPONSORS = ("us", "russia", "china", "cuba")
SPONSOR_LABELS = {"us": "United States", "russia": "Russia", "china": "China", "cuba": "Cuba"}

#: Each sponsor's parameters when that sponsor is absent (the only place these live).
#: Every one is the parameter's lower bound, 0: the sponsor does nothing.  The
#: opposition's ``endorsement_loss`` needs no entry: with ``us.relief_threshold`` = 0
#: every depth is above the red line and the loss never applies.
ABSENT: dict[str, dict[str, float]] = {
    "us": {
        "us.sanctions": 0.0,
        "us.secondary_sanctions": 0.0,
        "us.relief": 0.0,
        "us.relief_threshold": 0.0,
        "us.escalation_credibility": 0.0,
        "us.escalation_effect": 0.0,
        "us.opposition_support": 0.0,
    },
    "russia": {"russia.finance": 0.0, "russia.evasion": 0.0},
    "china": {"china.finance": 0.0, "china.evasion": 0.0},
    "cuba": {"cuba.security": 0.0},
}


def fmt(v) -> str:
    """One CSV cell: floats with 12 significant digits (as the JSON report), NaN/None empty."""
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return ""
        return f"{float(f'{v:.{JSON_DIGITS}g}')!r}"
    s = str(v)
    return f'"{s}"' if any(c in s for c in ',"\n') else s


@dataclass(frozen=True)
class FigureData:
    """A figure's data: the CSV table plus the facts its drawing needs.

    Attributes
    ----------
    kind : str
        Figure kind (a key of :data:`batna.figures.KINDS`).
    title : str
        Figure title.
    columns : tuple of str
        CSV header.
    rows : tuple of tuple
        CSV rows (floats, strings, or None for an empty cell).
    meta : dict
        Everything else the drawing reads (arrays, labels, units).
    """

    kind: str
    title: str
    columns: tuple
    rows: tuple
    meta: dict = field(default_factory=dict, repr=False)

    def to_csv(self) -> str:
        """Deterministic CSV text (``\\n`` line ends, 12 significant digits)."""
        lines = [",".join(self.columns)]
        lines += [",".join(fmt(c) for c in r) for r in self.rows]
        return "\n".join(lines) + "\n"

    def select(self, column: str, value) -> list[tuple]:
        """Rows whose ``column`` equals ``value``."""
        i = self.columns.index(column)
        return [r for r in self.rows if r[i] == value]


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- frontier


def frontier(report: Report, n: int = 1001) -> FigureData:
    """Utilities U_G(x), U_O(x) over x in [0, 1], BATNA levels, ZOPA, limits, solution points.

    Parameters
    ----------
    report : Report
        From :func:`batna.analyse`.
    n : int
        Points of the uniform x grid; the exact breakpoints (0, x_US, x_O,
        x̄_G, 1) and the left limit just below each are added so the jumps of
        the piecewise-linear utilities are drawn exactly.

    Returns
    -------
    FigureData
        Columns ``row, x, U_G, U_O, value``.  ``row`` is ``curve`` for the
        utility curves; ``batna_G``, ``batna_O``, ``batna_O_objective``,
        ``price_O``, ``margin`` carry ``value`` (full-control units, equal to
        the report's); ``zopa_low``/``zopa_high`` (one pair per interval),
        ``core_limit``, ``us_red_line``, ``hardliner_floor`` carry ``x``;
        ``nash``, ``kalai_smorodinsky``, ``rubinstein`` (if the ZOPA is open)
        or ``compromise`` (if not) carry ``x``, ``U_G``, ``U_O``.
    """
    res = model.evaluate(report.values)
    P = res.parameters
    lims = {"us_red_line": float(P["us.relief_threshold"]), "hardliner_floor": float(P["opposition.hardliner_floor"]),
            "core_limit": float(P["government.core_limit"])}
    bps = np.array(sorted({0.0, 1.0, *lims.values()}))
    left = np.nextafter(bps[bps > 0], -np.inf)
    x = np.unique(np.concatenate([np.linspace(0.0, 1.0, n), bps, left]))
    u_G, u_O = model.utilities(x, P, res.bite)
    rows: list[tuple] = [("curve", a, b, c, None) for a, b, c in zip(x, u_G, u_O)]
    b = report.batna
    for key, v in (("batna_G", b["government"]["perceived"]), ("batna_O", b["opposition"]["perceived"]),
                   ("batna_O_objective", b["opposition"]["objective"]), ("price_O", b["opposition"]["price"]),
                   ("margin", report.margin)):
        rows.append((key, None, None, None, v))
    for lo, hi in report.zopa:
        rows += [("zopa_low", lo, None, None, None), ("zopa_high", hi, None, None, None)]
    rows += [(k, v, None, None, None) for k, v in lims.items()]
    if report.solutions:
        for name, s in report.solutions.items():
            rows.append((name, s["x"], s["u_G"], s["u_O"], None))
    else:
        xc = report.compromise
        # The depth's utilities on the piece that holds it (the report's own compromise gains).
        cG, cO = model.utilities(xc, P, res.bite)
        rows.append(("compromise", xc, float(cG), float(cO), None))
    title = f"{report.scenario.title}"
    status = (f"ZOPA open, margin {report.margin:+.3f}" if report.zopa_exists
              else f"no ZOPA: margin {report.margin:+.3f}, binding: {report.binding}")
    return FigureData("frontier", title, ("row", "x", "U_G", "U_O", "value"), tuple(rows),
                      {"status": status, "scenario": report.scenario.name})


# --------------------------------------------------------------------------- sponsor bars

BARS_QUANTITIES = (("batna_G", "Government BATNA $B_G$"), ("batna_O", "Opposition BATNA $B_O$"),
                   ("margin", "Margin $m$"))


def _subsets(n: int) -> np.ndarray:
    """Boolean (2**n, n) array: row s has sponsor i present iff bit i of s is set."""
    s = np.arange(2 ** n)[:, None]
    return ((s >> np.arange(n)[None, :]) & 1).astype(bool)


def _subset_name(row) -> str:
    return "+".join(SPONSORS[i] for i, on in enumerate(row) if on) or "none"


def shapley(v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Shapley values of players from a game given on every subset.

    Parameters
    ----------
    v : numpy.ndarray, shape (2**n,)
        v[s] is the worth of the subset whose membership is ``mask[s]``.
    mask : numpy.ndarray of bool, shape (2**n, n)

    Returns
    -------
    numpy.ndarray, shape (n,)
        phi_i = sum_S |S|!(n-|S|-1)!/n! (v(S+i) - v(S)) over S not containing i
        (Shapley 1953); they sum to v(all) - v(none).
    """
    n = mask.shape[1]
    index = {tuple(r): k for k, r in enumerate(mask)}
    phi = np.zeros(n)
    for i in range(n):
        for k, r in enumerate(mask):
            if r[i]:
                continue
            with_i = r.copy()
            with_i[i] = True
            size = int(r.sum())
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            phi[i] += w * (v[index[tuple(with_i)]] - v[k])
    return phi


def batna_bars(scenario: Scenario) -> FigureData:
    """Each side's BATNA (and the margin) split into sponsor contributions (Shapley values).

    See the module docstring for the definition and :data:`ABSENT` for what
    "absent" means for each sponsor.

    Returns
    -------
    FigureData
        Columns ``quantity, component, value`` (full-control units).  For each
        quantity in ``batna_G``, ``batna_O``, ``margin``: a ``baseline`` row
        (no sponsor present), one row per sponsor (its Shapley contribution),
        an ``all`` row (the scenario's value, equal to the report's), and one
        ``subset:<sponsors>`` row per subset (the 16 evaluations the
        contributions are computed from).
    """
    mask = _subsets(len(SPONSORS))
    values: dict[str, object] = dict(scenario.values)
    for i, sp in enumerate(SPONSORS):
        for key, absent in ABSENT[sp].items():
            values[key] = np.where(mask[:, i], scenario.values[key], absent)
    q = quantities.evaluate_all(values)
    rows: list[tuple] = []
    full = len(mask) - 1
    for key, _ in BARS_QUANTITIES:
        v = np.broadcast_to(q[key], (len(mask),)).astype(float)
        phi = shapley(v, mask)
        rows.append((key, "baseline", v[0]))
        rows += [(key, sp, float(p)) for sp, p in zip(SPONSORS, phi)]
        rows.append((key, "all", v[full]))
        rows += [(key, f"subset:{_subset_name(m)}", float(val)) for m, val in zip(mask, v)]
    return FigureData("batna-bars", f"{scenario.title}: what each sponsor adds", ("quantity", "component", "value"),
                      tuple(rows), {"scenario": scenario.name})


# --------------------------------------------------------------------------- heatmap


@dataclass(frozen=True)
class Axis:
    """One swept parameter: ``key`` from ``low`` to ``high`` in ``n`` evenly spaced points."""

    key: str
    low: float
    high: float
    n: int

    def points(self) -> np.ndarray:
        return np.linspace(self.low, self.high, self.n)

    @property
    def spec(self) -> str:
        return f"{self.key}={self.low:g}:{self.high:g}:{self.n}"


#: Default heatmap axes: Russian finance against US secondary sanctions.
DEFAULT_X = "russia.finance=0:20:81"
DEFAULT_Y = "us.secondary_sanctions=0:1:41"
MAX_POINTS = 1001


def parse_axis(text: str, option: str = "--x") -> Axis:
    """Parse ``KEY=LOW:HIGH:N`` (e.g. ``russia.finance=0:20:81``); ScenarioError if malformed.

    ``LOW`` and ``HIGH`` must lie in the parameter's valid range, ``LOW < HIGH``,
    and ``N`` an integer from 2 to 1001.
    """
    where = f"<command line>: {option} {text!r}"
    form = "must look like KEY=LOW:HIGH:N, e.g. russia.finance=0:20:81"
    if "=" not in text:
        raise ScenarioError(f"{where} {form}")
    key, spec = (t.strip() for t in text.split("=", 1))
    if key not in _params.BY_KEY:
        hint = _params.closest(key)
        raise ScenarioError(f"{where}: unknown parameter {key!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                            + "; `batna parameters` lists them")
    parts = spec.split(":")
    if len(parts) != 3:
        raise ScenarioError(f"{where} {form}")
    try:
        low, high = float(parts[0]), float(parts[1])
        n = int(parts[2])
    except ValueError:
        raise ScenarioError(f"{where} {form} (LOW, HIGH numbers; N an integer)") from None
    for v in (low, high):
        problem = _params.check_value(key, v)
        if problem:
            raise ScenarioError(f"{where}: {problem}")
    if not low < high:
        raise ScenarioError(f"{where}: LOW ({low:g}) must be below HIGH ({high:g})")
    if not 2 <= n <= MAX_POINTS:
        raise ScenarioError(f"{where}: N = {n} must be between 2 and {MAX_POINTS}")
    return Axis(key, low, high, n)


def _with_point(axis: Axis, own: float) -> np.ndarray:
    """The axis points, with the scenario's own value inserted (or snapped onto) if inside the range."""
    pts = axis.points()
    if axis.low <= own <= axis.high:
        close = np.isclose(pts, own, rtol=0, atol=1e-12 * max(1.0, abs(axis.high - axis.low)))
        if close.any():
            pts[close] = own
        else:
            pts = np.sort(np.append(pts, own))
    return pts


def heatmap(scenario: Scenario, x: Axis, y: Axis) -> FigureData:
    """Margin m over a grid of two parameters (all others at the scenario's values).

    The scenario's own value of each swept parameter is added to (or snapped
    onto) its axis when it lies in the swept range, so the grid holds the
    scenario's own point exactly.

    Returns
    -------
    FigureData
        Columns ``<x key>, <y key>, margin, zopa_exists``, one row per grid
        point, x varying fastest; ``meta`` holds the grid arrays.
    """
    if x.key == y.key:
        raise ScenarioError(f"<command line>: --x and --y both sweep {x.key}; choose two different parameters")
    xs = _with_point(x, scenario.values[x.key])
    ys = _with_point(y, scenario.values[y.key])
    values = dict(scenario.values)
    values[x.key] = xs[None, :]
    values[y.key] = ys[:, None]
    q = quantities.evaluate_all(values)
    m = np.broadcast_to(q["margin"], (len(ys), len(xs)))
    rows = tuple((xv, yv, m[j, i], bool(m[j, i] >= 0)) for j, yv in enumerate(ys) for i, xv in enumerate(xs))
    own = (scenario.values[x.key], scenario.values[y.key])
    units = (_params.get(x.key).unit, _params.get(y.key).unit)
    return FigureData("heatmap", f"{scenario.title}: margin", (x.key, y.key, "margin", "zopa_exists"), rows,
                      {"x": xs, "y": ys, "margin": np.array(m), "own": own, "keys": (x.key, y.key),
                       "units": units, "scenario": scenario.name})


# --------------------------------------------------------------------------- rounds

ROUNDS_COLLECTION = "venezuela/"
ROUNDS_QUANTITIES = (("margin", "Margin $m$"), ("batna_G", "Government BATNA $B_G$"),
                     ("batna_O", "Opposition BATNA $B_O$"))


def round_names() -> tuple[list[str], list[str]]:
    """Bundled historical rounds (by date) and counterfactuals (by name) of the Venezuelan collection.

    Variants that carry an ``[uncertainty]`` table (inputs to Monte Carlo runs) are not rounds.
    """
    hist, cf = [], []
    for name in bundled_scenarios():
        if not name.startswith(ROUNDS_COLLECTION) or load_scenario(name).uncertainty:
            continue
        (cf if _short(name).startswith("counterfactual-") else hist).append(name)
    dated = [(str(load_scenario(n).meta.get("date", "")), n) for n in hist]
    return [n for _, n in sorted(dated)], sorted(cf)


_PROPER = {"us": "US", "russia": "Russia", "china": "China", "cuban": "Cuban", "cuba": "Cuba"}


def _label(sc: Scenario) -> str:
    short = _short(sc.name)
    if short.startswith("counterfactual-"):
        words = short[len("counterfactual-"):].split("-")
        return "CF: " + " ".join(_PROPER.get(w, w) for w in words)
    return short


def rounds(scenario: Scenario | None = None) -> FigureData:
    """Margin and both BATNAs of every bundled round and counterfactual, side by side.

    Parameters
    ----------
    scenario : Scenario, optional
        Highlighted if it is one of the bundled scenarios unchanged; otherwise
        (a file of your own, or ``--set`` overrides) added as an extra row.

    Returns
    -------
    FigureData
        Columns ``scenario, label, group, margin, batna_G, batna_O, price_O,
        zopa_exists`` (full-control units); ``group`` is ``round``,
        ``counterfactual`` or ``yours``.  Values come from one vectorised
        :func:`batna.quantities.evaluate_all` call and equal each scenario's
        report.
    """
    hist, cf = round_names()
    scs = [(load_scenario(n), "round") for n in hist] + [(load_scenario(n), "counterfactual") for n in cf]
    highlight = None
    if scenario is not None:
        same = [s for s, _ in scs if s.name == scenario.name and s.values == scenario.values]
        if same:
            highlight = scenario.name
        else:
            scs.append((scenario, "yours"))
            highlight = scenario.name
    keys = list(_params.BY_KEY)
    values = {k: np.array([s.values[k] for s, _ in scs]) for k in keys}
    q = quantities.evaluate_all(values)
    rows = []
    for i, (s, group) in enumerate(scs):
        label = _label(s) if group != "yours" else f"{_short(s.name)} (yours)"
        rows.append((s.name, label, group, q["margin"][i], q["batna_G"][i], q["batna_O"][i], q["price_O"][i],
                     bool(q["zopa_exists"][i])))
    return FigureData("rounds", "Venezuela 2014-2019: rounds and counterfactuals",
                      ("scenario", "label", "group", "margin", "batna_G", "batna_O", "price_O", "zopa_exists"),
                      tuple(rows), {"highlight": highlight})


# --------------------------------------------------------------------------- sensitivity


def _source_text(source: str) -> str:
    return ("distributions of the scenario's [uncertainty] table" if source == "uncertainty"
            else "sponsor parameters, uniform over their valid ranges")


def tornado(scenario: Scenario) -> FigureData:
    """One-at-a-time swings of the margin, from :func:`batna.sensitivity.tornado`.

    The parameters and their low/high ends are those of ``batna sensitivity``
    (:func:`batna.sensitivity.uncertain_parameters`): the support of each
    distribution of the scenario's ``[uncertainty]`` table, or, without one,
    every sponsor parameter over its valid range.  Each is moved to its low and
    to its high end with every other parameter at the scenario's value.

    Returns
    -------
    FigureData
        Columns ``key, low, value, high, margin_low, margin, margin_high,
        swing``: the parameter's low end, scenario value and high end (its own
        unit), the margin at the low end, at the scenario's values (the
        report's margin, the same on every row) and at the high end, and the
        swing ``|margin_high - margin_low|`` (full-control units).  Rows are in
        the order of :func:`batna.sensitivity.tornado` (largest swing first).
    """
    dists, source = sensitivity.uncertain_parameters(scenario)
    rows, base = sensitivity.tornado(dists, sensitivity.batna_model(scenario.values))
    table = tuple((r["key"], r["low"], float(scenario.values[r["key"]]), r["high"], r["margin_low"], base,
                   r["margin_high"], r["swing"]) for r in rows)
    units = {r["key"]: _params.get(r["key"]).unit for r in rows}
    return FigureData("tornado", f"{scenario.title}: one-at-a-time swings of the margin",
                      ("key", "low", "value", "high", "margin_low", "margin", "margin_high", "swing"), table,
                      {"scenario": scenario.name, "units": units, "source": source,
                       "source_text": _source_text(source), "base": base})


#: Default Sobol base samples N of ``batna plot --kind sobol`` (N (D + 2) model runs).
SOBOL_N = 256
#: Default seed of ``batna plot --kind sobol``.  Not 0: SALib's ``analyze.sobol`` treats a
#: seed of 0 as "no seed" and bootstraps from numpy's global random state, so the confidence
#: intervals would change from run to run (the indices themselves would not).
SOBOL_SEED = 1


def sobol(scenario: Scenario, n: int = SOBOL_N, seed: int = SOBOL_SEED) -> FigureData:
    """First-order and total Sobol indices of the margin and of the ZOPA indicator.

    The indices are :func:`batna.sensitivity.run` with ``method="sobol"``:
    the same numbers ``batna sensitivity SCENARIO --method sobol -n N --seed
    SEED`` prints (same parameters, distributions, seed and bootstrap).

    Parameters
    ----------
    scenario : Scenario
    n : int
        Sobol base samples, a power of 2 (>= 2); N (D + 2) model runs for D
        uncertain parameters.  Default :data:`SOBOL_N`.
    seed : int
        Positive seed of the Sobol' sequence and of the bootstrap (default
        :data:`SOBOL_SEED`); equal seeds give identical indices and intervals.
        0 is refused (ScenarioError): SALib ignores a zero seed for the
        bootstrap, which would make the intervals irreproducible.

    Returns
    -------
    FigureData
        Columns ``output, key, S1, S1_conf, ST, ST_conf`` (dimensionless;
        ``*_conf`` is the half-width of the 95 % bootstrap confidence
        interval), for ``output`` in ``margin`` and ``zopa_exists``, each in
        the order of the sensitivity result (largest ST first).  Indices of a
        constant output are empty cells; ``meta["notes"]`` says why.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 1:
        raise ScenarioError(f"<command line>: --seed = {seed!r} must be a positive integer for --kind sobol "
                            "(SALib ignores a seed of 0 for its bootstrap, so the confidence intervals "
                            "would not be reproducible)")
    res = sensitivity.run(scenario, "sobol", n, int(seed))
    rows = tuple((o, r["key"], r["S1"], r["S1_conf"], r["ST"], r["ST_conf"])
                 for o in sensitivity.OUTPUTS for r in res.indices[o])
    return FigureData("sobol", f"{scenario.title}: Sobol indices",
                      ("output", "key", "S1", "S1_conf", "ST", "ST_conf"), rows,
                      {"scenario": scenario.name, "n": res.n, "seed": res.seed, "runs": res.runs,
                       "source": res.source, "source_text": _source_text(res.source), "notes": dict(res.notes)})


def for_kind(kind: str, scenario: Scenario, *, x: Axis | None = None, y: Axis | None = None,
             report: Report | None = None, n: int | None = None, seed: int | None = None) -> FigureData:
    """The data of figure ``kind`` for ``scenario`` (``x``/``y``: heatmap axes; ``n``/``seed``: sobol)."""
    if kind == "frontier":
        return frontier(report if report is not None else analyse(scenario))
    if kind == "batna-bars":
        return batna_bars(scenario)
    if kind == "heatmap":
        return heatmap(scenario, x or parse_axis(DEFAULT_X), y or parse_axis(DEFAULT_Y, "--y"))
    if kind == "rounds":
        return rounds(scenario)
    if kind == "tornado":
        return tornado(scenario)
    if kind == "sobol":
        return sobol(scenario, SOBOL_N if n is None else n, SOBOL_SEED if seed is None else seed)
    raise ScenarioError(f"<command line>: unknown figure kind {kind!r}")
