"""Monte Carlo over a scenario's ``[uncertainty]`` table.

Draws every uncertain parameter from its distribution (:mod:`batna.uncertainty`),
holds the others at the scenario's values, evaluates every report quantity
with :func:`batna.quantities.evaluate_all` and summarises:

- the probability that a ZOPA exists and that (Engage, Engage) is an
  equilibrium of the engagement game, with binomial standard errors
  sqrt(p (1 - p) / n);
- the distribution of the margin (mean, standard deviation, quantiles 5, 25,
  50, 75 and 95 %);
- the same for each bargaining outcome (Nash, Kalai-Smorodinsky, Rubinstein:
  depth x and each side's gain), conditional on a ZOPA, i.e. over the n_zopa
  draws in which one exists.

Standard errors
---------------
The Monte Carlo standard error of a mean is sd / sqrt(n).  That of a
quantile q is distribution-free: the order statistics x_(L), x_(U) with
L, U = n q -/+ 1.96 sqrt(n q (1 - q)) bracket the q-quantile with about 95 %
probability (the binomial confidence interval for a quantile, e.g.
Conover, *Practical Nonparametric Statistics*, 3rd ed., section 3.2), and the
standard error reported is (x_(U) - x_(L)) / (2 x 1.96).

Reproducibility
---------------
The ``rng`` argument follows SPEC 7 (an int, a
:class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`).  It
defines one root :class:`~numpy.random.SeedSequence`; draw block ``i`` (of
:data:`BLOCK` draws, a constant) uses the root's i-th child, derived with
``spawn_key = root.spawn_key + (i,)`` exactly as ``root.spawn`` would, and is
always evaluated as one array of that size.  Chunks only group whole blocks
for scheduling, so the result is bit-identical for any ``chunk_size``, for the
serial path and for a Dask cluster with any number of workers.  The first
``n`` draws of a larger run are those of a run with ``n`` draws.

Memory: the summarised outputs of every draw are kept (about 100 bytes a
draw) so that quantiles are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from . import agreement
from .errors import ScenarioError
from .quantities import evaluate_all
from .uncertainty import Distribution, from_scenario

__all__ = [
    "BLOCK",
    "QUANTILES",
    "Estimate",
    "Summary",
    "MonteCarloResult",
    "root_seed",
    "block_seeds",
    "sample",
    "run",
    "summarise",
]

#: Draws per seeding block (fixed: independent of chunking and workers).
BLOCK = 4096
#: Quantile levels reported.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Bargaining outcomes summarised conditional on a ZOPA.
OUTCOMES = tuple(f"{s}.{k}" for s in agreement.SOLUTIONS for k in ("x", "gain_G", "gain_O"))
_KEPT = ("margin", "zopa_exists", "engage_engage_equilibrium") + OUTCOMES
_Z95 = 1.959963984540054


def _num(x):
    """A float for JSON (None for NaN)."""
    x = float(x)
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Estimate:
    """A probability estimated from n draws, with its binomial standard error."""

    value: float
    se: float
    n: int

    def to_dict(self) -> dict:
        return {"value": _num(self.value), "se": _num(self.se), "n": self.n}


@dataclass(frozen=True)
class Summary:
    """Distribution of one quantity over n draws.

    Attributes
    ----------
    n : int
        Draws summarised (0: everything NaN).
    mean, sd, se_mean : float
        Sample mean, standard deviation (ddof = 1) and sd / sqrt(n).
    quantiles : dict of float to float
        Level -> sample quantile (numpy's default linear interpolation).
    se_quantiles : dict of float to float
        Level -> distribution-free standard error (see the module docstring).
    """

    n: int
    mean: float
    sd: float
    se_mean: float
    quantiles: dict
    se_quantiles: dict

    def to_dict(self) -> dict:
        return {
            "n": self.n, "mean": _num(self.mean), "sd": _num(self.sd), "se_mean": _num(self.se_mean),
            "quantiles": {f"{int(round(q * 100))}": _num(v) for q, v in self.quantiles.items()},
            "se_quantiles": {f"{int(round(q * 100))}": _num(v) for q, v in self.se_quantiles.items()},
        }


@dataclass(frozen=True)
class MonteCarloResult:
    """Everything :func:`run` computes; ``to_dict()`` is the JSON schema.

    Attributes
    ----------
    scenario, digest : str
        Scenario name and :meth:`~batna.scenario.Scenario.digest` (point values).
    n : int
        Draws.
    seed_entropy : int or sequence of int
        Entropy of the root SeedSequence; with ``seed_spawn_key`` it reproduces
        the run: ``rng=SeedSequence(seed_entropy, spawn_key=seed_spawn_key)``
        (for an int seed, entropy is that int and the spawn key is empty).
    block_size : int
        :data:`BLOCK`.
    distributions : dict
        Parameter key -> distribution (``to_dict`` form).
    p_zopa, p_engage_engage : Estimate
        P(ZOPA exists), P((Engage, Engage) is an equilibrium).
    margin : Summary
        Margin (full-control units) over all draws.
    n_zopa : int
        Draws with a ZOPA.
    outcomes : dict of str to Summary
        ``nash.x``, ``nash.gain_G``, ... conditional on a ZOPA.
    """

    scenario: str
    digest: str
    n: int
    seed_entropy: object
    seed_spawn_key: tuple
    block_size: int
    distributions: dict
    p_zopa: Estimate
    p_engage_engage: Estimate
    margin: Summary
    n_zopa: int
    outcomes: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "digest": self.digest,
            "n": self.n,
            "seed_entropy": (str(self.seed_entropy) if isinstance(self.seed_entropy, int)
                             else [str(e) for e in self.seed_entropy]),
            "seed_spawn_key": list(self.seed_spawn_key),
            "block_size": self.block_size,
            "distributions": self.distributions,
            "p_zopa": self.p_zopa.to_dict(),
            "p_engage_engage": self.p_engage_engage.to_dict(),
            "margin": self.margin.to_dict(),
            "n_zopa": self.n_zopa,
            "outcomes_given_zopa": {k: v.to_dict() for k, v in self.outcomes.items()},
        }


# --------------------------------------------------------------------------- seeding


def root_seed(rng) -> np.random.SeedSequence:
    """The root SeedSequence of a run (SPEC 7).

    Parameters
    ----------
    rng : None, int, numpy.random.SeedSequence or numpy.random.Generator
        None: fresh OS entropy (recorded in the result).  A Generator is
        advanced by one draw of four 64-bit words, which become the entropy.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        words = rng.integers(0, 2**63, size=4, dtype=np.uint64)
        return np.random.SeedSequence(sum(int(w) << (64 * i) for i, w in enumerate(words)))
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ScenarioError(f"seed = {rng} must be a non-negative integer")
        return np.random.SeedSequence(None if rng is None else int(rng))
    raise TypeError(f"rng must be None, an int, a SeedSequence or a Generator, not {type(rng).__name__}")


def block_seeds(root: np.random.SeedSequence, blocks) -> list[np.random.SeedSequence]:
    """The child SeedSequences of the given block indices (as ``root.spawn`` would make them)."""
    return [np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (int(i),),
                                   pool_size=root.pool_size) for i in blocks]


def _block_uniforms(seed: np.random.SeedSequence, m: int, d: int) -> np.ndarray:
    return np.random.Generator(np.random.PCG64(seed)).random((m, d))


def _block_sizes(n: int) -> list[int]:
    return [min(BLOCK, n - i) for i in range(0, n, BLOCK)]


def _draw_block(dists, seed, m) -> dict[str, np.ndarray]:
    u = _block_uniforms(seed, m, len(dists))
    return {k: d.ppf(u[:, j]) for j, (k, d) in enumerate(dists.items())}


def sample(dists: Mapping[str, Distribution], n: int, rng=None) -> dict[str, np.ndarray]:
    """The ``n`` draws :func:`run` evaluates for the same ``rng`` (block by block, concatenated).

    Returns
    -------
    dict of str to numpy.ndarray
        One array of shape (n,) per key of ``dists``.
    """
    root = root_seed(rng)
    sizes = _block_sizes(n)
    parts = [_draw_block(dists, s, m) for s, m in zip(block_seeds(root, range(len(sizes))), sizes)]
    return {k: np.concatenate([p[k] for p in parts]) if parts else np.empty(0) for k in dists}


# --------------------------------------------------------------------------- evaluation


def _evaluate_blocks(dists, fixed, entropy_state, blocks, n, tol):
    """Evaluate whole blocks; one evaluate_all call per block (so shapes never depend on chunking)."""
    entropy, spawn_key, pool_size = entropy_state
    root = np.random.SeedSequence(entropy, spawn_key=spawn_key, pool_size=pool_size)
    out = []
    for i, seed in zip(blocks, block_seeds(root, blocks)):
        m = min(BLOCK, n - i * BLOCK)
        values = dict(fixed)
        values.update(_draw_block(dists, seed, m))
        q = evaluate_all(values, tol=tol)
        out.append({k: np.asarray(q[k], dtype=float) for k in _KEPT})
    return out


def _chunks(nblocks: int, chunk_size: int | None) -> list[list[int]]:
    per = nblocks if not chunk_size else max(1, -(-int(chunk_size) // BLOCK))
    return [list(range(i, min(i + per, nblocks))) for i in range(0, nblocks, per)]


def summarise(x: np.ndarray) -> Summary:
    """Mean, sd, quantiles and their Monte Carlo standard errors of a 1-d sample."""
    x = np.asarray(x, dtype=float)
    n = x.size
    nan = float("nan")
    if n == 0:
        return Summary(0, nan, nan, nan, {q: nan for q in QUANTILES}, {q: nan for q in QUANTILES})
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else nan
    xs = np.sort(x)
    qs = {q: float(v) for q, v in zip(QUANTILES, np.quantile(xs, QUANTILES))}
    se_q = {}
    for q in QUANTILES:
        half = _Z95 * math.sqrt(n * q * (1 - q))
        lo = int(max(0, math.floor(n * q - half)))
        hi = int(min(n - 1, math.ceil(n * q + half)))
        se_q[q] = float(xs[hi] - xs[lo]) / (2 * _Z95) if n > 1 else nan
    return Summary(n, mean, sd, sd / math.sqrt(n) if n > 1 else nan, qs, se_q)


def _estimate(flags: np.ndarray) -> Estimate:
    n = flags.size
    p = float(flags.mean()) if n else float("nan")
    return Estimate(p, math.sqrt(p * (1 - p) / n) if n else float("nan"), n)


def _map_dask(client, fn, args, chunks):
    futures = client.map(fn, *[[a] * len(chunks) for a in args[:3]], chunks,
                         *[[a] * len(chunks) for a in args[3:]], pure=False)
    return client.gather(futures)  # in the order of ``chunks``


def run(scenario, n: int, rng=None, *, chunk_size: int | None = None, scheduler=None,
        workers: int = 2, tol: float = 1e-9, dists: Mapping[str, Distribution] | None = None
        ) -> MonteCarloResult:
    """Monte Carlo over the scenario's uncertain parameters.

    Parameters
    ----------
    scenario : batna.scenario.Scenario
        Point values for every parameter; its ``[uncertainty]`` table gives
        the distributions (validated by :func:`batna.uncertainty.from_scenario`).
    n : int
        Number of draws (>= 1).
    rng : None, int, SeedSequence or Generator
        Seed (SPEC 7); see the module docstring.
    chunk_size : int, optional
        Draws evaluated per task, rounded up to whole blocks of :data:`BLOCK`
        (default: everything in one task).  Never changes the result.
    scheduler : None, "serial", "local" or dask.distributed.Client
        ``"local"`` starts a :class:`dask.distributed.LocalCluster` with
        ``workers`` single-threaded worker processes for the run; a Client
        is used as given.
    tol : float
        Engagement-game tolerance passed to :func:`batna.quantities.evaluate_all`.
    dists : mapping, optional
        Distributions to use instead of the scenario's table.

    Raises
    ------
    ScenarioError
        Bad ``[uncertainty]`` table, no uncertain parameter, n < 1 or a bad chunk size.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ScenarioError(f"-n = {n!r} must be a positive integer (number of draws)")
    if chunk_size is not None and (isinstance(chunk_size, bool) or int(chunk_size) < 1):
        raise ScenarioError(f"--chunk-size = {chunk_size!r} must be a positive integer (draws per task)")
    dists = from_scenario(scenario) if dists is None else dict(dists)
    if not dists:
        raise ScenarioError(f"{scenario.path or scenario.name}: no [uncertainty] table (or every uncertain "
                            "parameter is pinned by --set): nothing to sample; see docs/how-to/montecarlo.md")
    n = int(n)
    root = root_seed(rng)
    fixed = {k: v for k, v in scenario.values.items() if k not in dists}
    nblocks = len(_block_sizes(n))
    chunks = _chunks(nblocks, chunk_size)
    state = (root.entropy, tuple(root.spawn_key), root.pool_size)
    args = (dists, fixed, state, n, tol)
    if scheduler in (None, "serial"):
        parts = [_evaluate_blocks(dists, fixed, state, c, n, tol) for c in chunks]
    elif scheduler == "local":
        from dask.distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            parts = _map_dask(client, _evaluate_blocks, args, chunks)
    elif hasattr(scheduler, "map") and hasattr(scheduler, "gather"):
        parts = _map_dask(scheduler, _evaluate_blocks, args, chunks)
    else:
        raise ScenarioError(f"--scheduler = {scheduler!r} is not known; allowed: serial, local")
    blocks = [b for part in parts for b in part]
    cols = {k: np.concatenate([b[k] for b in blocks]) for k in _KEPT}
    zopa = cols["zopa_exists"] > 0.5
    return MonteCarloResult(
        scenario=scenario.name,
        digest=scenario.digest(),
        n=n,
        seed_entropy=root.entropy,
        seed_spawn_key=tuple(root.spawn_key),
        block_size=BLOCK,
        distributions={k: d.to_dict() for k, d in dists.items()},
        p_zopa=_estimate(zopa),
        p_engage_engage=_estimate(cols["engage_engage_equilibrium"] > 0.5),
        margin=summarise(cols["margin"]),
        n_zopa=int(zopa.sum()),
        outcomes={k: summarise(cols[k][zopa]) for k in OUTCOMES},
    )
