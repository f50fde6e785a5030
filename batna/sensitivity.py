"""Global sensitivity of the margin and of the ZOPA indicator (SALib), plus tornado data.

Which parameters
----------------
The uncertain parameters are those of the scenario's ``[uncertainty]`` table
(:func:`batna.uncertainty.from_scenario`), with their distributions.  A
scenario without one gets every sponsor parameter (US, Russia, China, Cuba,
mediator) uniformly over its valid range
(:func:`batna.uncertainty.default_uniform`; the open bound of
``mediator.enforcement`` is moved in by 0.1 % of the range).  Every other
parameter stays at the scenario's value.

Designs live on the unit hypercube and are mapped to each parameter by its
inverse distribution function (:meth:`batna.uncertainty.Distribution.ppf`),
so a Sobol index refers to the distributions of the table, not to uniform
ranges.

Methods
-------
- Sobol (Saltelli 2002; Saltelli et al. 2010, *Comput. Phys. Commun.* 181:
  259-270): first-order indices S1 (share of the output variance explained
  by one parameter alone) and total indices ST (including all its
  interactions), with bootstrap confidence intervals, from SALib's
  ``sample.sobol`` (scrambled Sobol' sequence, N (D + 2) model runs for N base
  samples and D parameters) and ``analyze.sobol``.
- Morris (1991; Campolongo et al. 2007): mu* (mean absolute elementary
  effect) and sigma (its standard deviation: non-linearity or interaction)
  from N trajectories on a 4-level grid, N (D + 1) runs.  Effects are per unit
  of the *quantile* scale (the design's unit interval), so parameters with
  different units are comparable.
- Tornado: one parameter at a time, the margin at the low and at the high
  end of the parameter's support, all others at the scenario's values,
  sorted by swing ``|m(high) - m(low)|``.

Outputs analysed: ``margin`` (full-control units) and ``zopa_exists``
(the indicator of m >= 0, whose mean is P(ZOPA)).  A constant output (e.g.
a ZOPA that never opens) has no variance to decompose: its indices are
reported as null with a note.

Reproducibility: ``rng`` (SPEC 7: int, SeedSequence or Generator) becomes one
32-bit seed passed to SALib's sampler and to its bootstrap, so equal seeds
give bit-identical results.  :func:`sobol_indices` and :func:`morris_indices`
take any model function, so they also run on analytic test functions.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .errors import ScenarioError
from .quantities import evaluate_all
from .uncertainty import Distribution, default_uniform, from_scenario

__all__ = [
    "OUTPUTS",
    "METHODS",
    "SensitivityResult",
    "uncertain_parameters",
    "batna_model",
    "int_seed",
    "sobol_indices",
    "morris_indices",
    "tornado",
    "run",
]

OUTPUTS = ("margin", "zopa_exists")
METHODS = ("sobol", "morris")
Model = Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]]


def _num(x):
    x = float(x)
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of one method for every output, the tornado data and the run's metadata.

    Attributes
    ----------
    method : str
        ``sobol`` or ``morris``.
    n : int
        Base samples (Sobol) or trajectories (Morris).
    runs : int
        Model evaluations.
    seed : int
        32-bit seed passed to SALib.
    parameters : dict
        Key -> distribution (``to_dict`` form).
    source : str
        ``uncertainty`` (the scenario's table) or ``default`` (sponsor parameters, uniform).
    indices : dict of str to list of dict
        Output -> rows ranked by importance (ST for Sobol, mu* for Morris).
    notes : dict of str to str
        Output -> why its indices are missing (constant output).
    tornado : list of dict
        ``key``, ``low``, ``high``, ``margin_low``, ``margin_high``, ``swing``; by swing.
    base_margin : float
        Margin at the scenario's values.
    """

    scenario: str
    digest: str
    method: str
    n: int
    runs: int
    seed: int
    source: str
    parameters: dict
    indices: dict
    notes: dict = field(default_factory=dict)
    tornado: tuple = ()
    base_margin: float = float("nan")

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario, "digest": self.digest, "method": self.method, "n": self.n,
            "runs": self.runs, "seed": self.seed, "source": self.source, "parameters": self.parameters,
            "indices": {o: [{k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
                            for row in rows] for o, rows in self.indices.items()},
            "notes": dict(self.notes),
            "base_margin": _num(self.base_margin),
            "tornado": [{k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
                        for row in self.tornado],
        }


def uncertain_parameters(scenario) -> tuple[dict[str, Distribution], str]:
    """The scenario's distributions, or the default (sponsor parameters, uniform); and which."""
    dists = from_scenario(scenario)
    if dists:
        return dists, "uncertainty"
    if scenario.uncertainty:  # a table whose every entry is pinned by --set
        raise ScenarioError(f"{scenario.path or scenario.name}: every uncertain parameter is pinned "
                            "by --set: nothing to analyse")
    return {k: d for k, d in default_uniform().items() if k not in scenario.overrides}, "default"


def batna_model(values: Mapping[str, float], tol: float = 1e-9) -> Model:
    """Model function: draws (key -> array) over the fixed ``values`` -> margin and ZOPA indicator."""
    fixed = dict(values)

    def f(draws):
        q = evaluate_all({**fixed, **draws}, tol=tol)
        return {"margin": np.asarray(q["margin"], dtype=float),
                "zopa_exists": np.asarray(q["zopa_exists"], dtype=float)}

    return f


def int_seed(rng) -> int:
    """A 32-bit seed for SALib from ``rng`` (SPEC 7; None draws fresh entropy)."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ScenarioError(f"--seed = {rng} must be a non-negative integer")
        return int(rng) % 2**32
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**32))
    ss = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    return int(ss.generate_state(1)[0])


def _salib_seed(seed: int) -> int:
    """The seed handed to SALib: never 0, because SALib treats a falsy seed as "unseeded"
    and falls back to numpy's global state (its bootstrap intervals then change run to run)."""
    return int(seed) % (2**32 - 1) + 1


def _problem(dists):
    d = len(dists)
    return {"num_vars": d, "names": list(dists), "bounds": [[0.0, 1.0]] * d}


def _transform(dists, U: np.ndarray) -> dict[str, np.ndarray]:
    return {k: np.asarray(dist.ppf(U[:, j]), dtype=float) for j, (k, dist) in enumerate(dists.items())}


def _check(dists, n, what):
    if not dists:
        raise ScenarioError("no uncertain parameter to analyse")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ScenarioError(f"-n = {n!r} must be an integer >= 2 ({what})")


def sobol_indices(dists: Mapping[str, Distribution], model: Model, n: int, seed: int,
                  outputs=OUTPUTS, num_resamples: int = 100, conf_level: float = 0.95):
    """First-order and total Sobol indices of each output (SALib).

    Parameters
    ----------
    dists : mapping of str to Distribution
        Uncertain inputs (any names: the model receives them as keys).
    model : callable
        ``model(draws) -> {output: array}`` with arrays of shape (runs,).
    n : int
        Base samples N, a power of 2 (SALib's Sobol' sequence needs one);
        N (D + 2) model runs.
    seed : int
        Seed of the scrambled sequence and of the bootstrap.

    Returns
    -------
    indices : dict
        Output -> rows {key, S1, S1_conf, ST, ST_conf}, sorted by ST (descending).
    notes : dict
        Output -> reason its indices are missing.
    runs : int
    """
    from SALib.analyze import sobol as sa
    from SALib.sample import sobol as ss

    _check(dists, n, "base samples")
    if n & (n - 1):
        lo = 1 << (int(n).bit_length() - 1)
        raise ScenarioError(f"-n = {n} must be a power of 2 for the Sobol' sequence "
                            f"(e.g. {lo} or {lo * 2})")
    problem = _problem(dists)
    U = ss.sample(problem, int(n), calc_second_order=False, scramble=True, seed=_salib_seed(seed))
    Y = model(_transform(dists, U))
    indices, notes = {}, {}
    for o in outputs:
        y = np.asarray(Y[o], dtype=float)
        if np.ptp(y) == 0:
            notes[o] = f"{o} is constant ({y[0]:g}) over all {y.size} runs: no variance to decompose"
            indices[o] = [{"key": k, "S1": float("nan"), "S1_conf": float("nan"),
                           "ST": float("nan"), "ST_conf": float("nan")} for k in dists]
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sa.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                            conf_level=conf_level, print_to_console=False, seed=_salib_seed(seed))
        rows = [{"key": k, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                 "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])}
                for j, k in enumerate(dists)]
        indices[o] = sorted(rows, key=lambda r: -r["ST"])
    return indices, notes, int(U.shape[0])


def morris_indices(dists: Mapping[str, Distribution], model: Model, n: int, seed: int,
                   outputs=OUTPUTS, num_levels: int = 4, num_resamples: int = 100):
    """Morris elementary-effects screening of each output (SALib).

    Parameters
    ----------
    n : int
        Trajectories; N (D + 1) model runs.

    Returns
    -------
    indices : dict
        Output -> rows {key, mu, mu_star, mu_star_conf, sigma}, sorted by mu* (descending).
    notes, runs
        As for :func:`sobol_indices`.
    """
    from SALib.analyze import morris as ma
    from SALib.sample import morris as ms

    _check(dists, n, "trajectories")
    problem = _problem(dists)
    U = ms.sample(problem, int(n), num_levels=num_levels, seed=_salib_seed(seed))
    Y = model(_transform(dists, U))
    indices, notes = {}, {}
    for o in outputs:
        y = np.asarray(Y[o], dtype=float)
        if np.ptp(y) == 0:
            notes[o] = f"{o} is constant ({y[0]:g}) over all {y.size} runs: every effect is 0"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = ma.analyze(problem, U, y, num_resamples=num_resamples, num_levels=num_levels,
                            print_to_console=False, seed=_salib_seed(seed))
        rows = [{"key": k, "mu": float(si["mu"][j]), "mu_star": float(si["mu_star"][j]),
                 "mu_star_conf": float(si["mu_star_conf"][j]), "sigma": float(si["sigma"][j])}
                for j, k in enumerate(dists)]
        indices[o] = sorted(rows, key=lambda r: -r["mu_star"])
    return indices, notes, int(U.shape[0])


def tornado(dists: Mapping[str, Distribution], model: Model, output: str = "margin"):
    """One-at-a-time swings: ``output`` at each parameter's support ends, others at base values.

    ``model`` is called once with no draws (the base) and once per parameter
    with that parameter at its two support ends.

    Returns
    -------
    rows : list of dict
        ``key``, ``low``, ``high``, ``margin_low``, ``margin_high``, ``swing``
        (absolute), sorted by swing (descending; ties in input order).
    base : float
        The output at the base values.
    """
    keys = list(dists)
    base = float(np.asarray(model({})[output]).reshape(-1)[0])
    rows = []
    for k in keys:
        lo, hi = (float(v) for v in dists[k].support)
        y = np.asarray(model({k: np.array([lo, hi])})[output], dtype=float)
        rows.append({"key": k, "low": lo, "high": hi, "margin_low": float(y[0]),
                     "margin_high": float(y[1]), "swing": abs(float(y[1] - y[0]))})
    rows.sort(key=lambda r: -r["swing"])
    return rows, base


def run(scenario, method: str = "sobol", n: int = 1024, rng=None, *, tol: float = 1e-9,
        model: Model | None = None, dists: Mapping[str, Distribution] | None = None) -> SensitivityResult:
    """Sensitivity of a scenario's margin and ZOPA indicator to its uncertain parameters.

    Parameters
    ----------
    scenario : batna.scenario.Scenario
    method : {"sobol", "morris"}
    n : int
        Sobol base samples (a power of 2) or Morris trajectories.
    rng : None, int, SeedSequence or Generator
        Seed (SPEC 7), see :func:`int_seed`.
    model : callable, optional
        Replaces :func:`batna_model` (draws -> {"margin", "zopa_exists"}).
    dists : mapping, optional
        Replaces the scenario's distributions.
    """
    if method not in METHODS:
        raise ScenarioError(f"--method = {method!r} is not known; allowed: {', '.join(METHODS)}")
    if dists is None:
        dists, source = uncertain_parameters(scenario)
    else:
        dists, source = dict(dists), "given"
    f = model or batna_model(scenario.values, tol=tol)  # draws override the point values
    seed = int_seed(rng)
    fn = sobol_indices if method == "sobol" else morris_indices
    indices, notes, runs = fn(dists, f, n, seed)
    rows, base = tornado(dists, f)
    return SensitivityResult(
        scenario=scenario.name, digest=scenario.digest(), method=method, n=int(n), runs=runs, seed=seed,
        source=source, parameters={k: d.to_dict() for k, d in dists.items()}, indices=indices,
        notes=notes, tornado=tuple(rows), base_margin=base)
