"""Benchmark of the equilibrium solvers: batched kernel vs per-game loops.

Run ``python benchmarks/bench_equilibria.py [--quick] [--seed N]``.

(a) Engagement games of random valid scenarios (every parameter uniform in its
    range, built as :func:`batna.quantities.evaluate_all` builds them):
    :func:`batna.games.equilibria_batch` vs a Python loop over nashpy's vertex
    enumeration vs a Python loop over :func:`batna.games.equilibria`.
(b) Random m x n games with standard normal payoffs, m = n in {2, 3, 4, 6}:
    the batched solver vs nashpy vertex and support enumeration.

Slow loops run on a sample and are scaled to games per second. Timings are
CPU time of this process (``time.process_time``) with one BLAS/OpenMP thread,
so they measure one core even on a busy machine; wall-clock rates are printed
alongside. "differ" counts sample games whose equilibrium sets differ from the
batched solver's (max-norm tolerance 1e-6 on both strategies).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import nashpy  # noqa: E402
import numpy as np  # noqa: E402

from batna import agreement, engagement, model, parameters  # noqa: E402
from batna.games import equilibria, equilibria_batch  # noqa: E402


def engagement_games(rng: np.random.Generator, size: int):
    """Engagement games (A, B) of ``size`` random valid scenarios, and the ZOPA flags."""
    values = {p.key: rng.uniform(p.low, p.high, size) for p in parameters.PARAMETERS}
    res = model.evaluate(values)
    sol = agreement.solutions(res)
    A, B = engagement.payoff_matrices(res.parameters, res.batna_G, res.batna_O,
                                      sol["nash.v_G"], sol["nash.v_O"], res.margin >= 0)
    return A, B, res.margin >= 0


def timed(fn, *args):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn(*args)
    return out, time.process_time() - c0, time.perf_counter() - w0


def loop(solver, A, B):
    out = []
    for a, b in zip(A, B):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append([(np.asarray(x, float), np.asarray(y, float)) for x, y in solver(a, b)])
        except Exception:  # nashpy fails on some degenerate games
            out.append(None)
    return out


def nashpy_vertex(a, b):
    return nashpy.Game(a, b).vertex_enumeration()


def nashpy_support(a, b):
    return nashpy.Game(a, b).support_enumeration()


def batna_loop(a, b):
    return [(e.row, e.column) for e in equilibria(a, b)]


def same(p, q, atol=1e-6):
    if p is None or q is None:
        return False

    def dedupe(s):
        out = []
        for x, y in s:
            if not any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in out):
                out.append((x, y))
        return out

    p, q = dedupe(p), dedupe(q)
    return len(p) == len(q) and all(
        any(np.allclose(x, u, atol=atol) and np.allclose(y, v, atol=atol) for u, v in q) for x, y in p)


def differ(res, sample_sets):
    return sum(not same([(e.row, e.column) for e in res.for_game(g)], s) for g, s in enumerate(sample_sets))


def row(label, n, cpu, wall, ref=None, extra=""):
    rate = n / cpu
    ratio = f"{ref / rate:10.0f}x" if ref else " " * 11
    print(f"  {label:<34} {n:>9} {rate:>14,.0f} {n / wall:>14,.0f} {ratio}  {extra}")


def header():
    print(f"  {'solver':<34} {'games':>9} {'games/s (CPU)':>14} {'games/s (wall)':>14} {'batch speed-up':>11}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller batches and samples")
    ap.add_argument("--seed", type=int, default=2019)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    q = args.quick
    import numba

    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
          f"nashpy {nashpy.__version__}, {platform.machine()}, 1 thread; seed {args.seed}{', --quick' if q else ''}")
    for k in (2, 3):  # compile / load the kernels (3 x 3 games have their own)
        equilibria_batch(np.zeros((1, k, k)), np.zeros((1, k, k)))

    # (a) engagement games
    N = 200_000 if q else 1_000_000
    A, B, zopa = engagement_games(rng, N)
    res, cpu, wall = timed(equilibria_batch, A, B)
    rate = N / cpu
    print(f"\n(a) engagement games (3 x 3), {N:,} random valid scenarios: ZOPA empty in "
          f"{(~zopa).mean():.1%}, degenerate {res.degenerate.mean():.1%}, "
          f"{res.count.sum() / N:.2f} equilibria per game")
    header()
    row("equilibria_batch", N, cpu, wall)
    for label, fn, k in (("loop over nashpy vertex_enumeration", nashpy_vertex, 100 if q else 400),
                         ("loop over batna.games.equilibria", batna_loop, 200 if q else 1000)):
        sets, c, w = timed(loop, fn, A[:k], B[:k])
        sub = equilibria_batch(A[:k], B[:k])
        nd = ~sub.degenerate
        d_all = differ(sub, sets)
        d_nd = sum(not same([(e.row, e.column) for e in sub.for_game(g)], sets[g]) for g in np.flatnonzero(nd))
        fails = sum(s is None for s in sets)
        row(label, k, c, w, ref=rate,
            extra=f"differ: {d_all}/{k} (nondegenerate {d_nd}/{int(nd.sum())}); errors {fails}")

    # (b) random games
    print("\n(b) random m x n games, standard normal payoffs")
    header()
    sizes = {2: (200_000, 200, 200), 3: (200_000, 200, 200), 4: (20_000, 100, 100), 6: (1_000, 20, 5)} if q else \
            {2: (1_000_000, 500, 500), 3: (1_000_000, 400, 400), 4: (200_000, 200, 200), 6: (5_000, 40, 10)}
    for m, (Nb, kv, ks) in sizes.items():
        A = rng.normal(size=(Nb, m, m))
        B = rng.normal(size=(Nb, m, m))
        res, cpu, wall = timed(equilibria_batch, A, B)
        rate = Nb / cpu
        print(f"  -- {m} x {m}: degenerate {res.degenerate.sum()}/{Nb}, {res.count.sum() / Nb:.2f} equilibria per game")
        row(f"equilibria_batch {m}x{m}", Nb, cpu, wall)
        for label, fn, k in (("nashpy vertex_enumeration", nashpy_vertex, kv),
                             ("nashpy support_enumeration", nashpy_support, ks)):
            sets, c, w = timed(loop, fn, A[:k], B[:k])
            sub = equilibria_batch(A[:k], B[:k])
            row(f"{label} {m}x{m}", k, c, w, ref=rate, extra=f"differ: {differ(sub, sets)}/{k}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
