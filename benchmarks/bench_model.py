"""Model throughput on one core: points per second of the array model.

Usage::

    python benchmarks/bench_model.py            # 10^4, 10^6, 10^7 points
    python benchmarks/bench_model.py --quick    # 10^4, 10^5 points

Times :func:`batna.quantities.evaluate_all` (every report quantity, with the
engagement-game pure-strategy summary) and :func:`batna.model.margin` (the
cheap path used by root finding) on a square ``russia.finance`` x
``us.secondary_sanctions`` grid over the bundled 2019-barbados scenario, as
two flat 1-D arrays (all other parameters scalar), in blocks of at most 10^6
points.  Thread counts of the numeric libraries are pinned to 1 before numpy
is imported.  Reported: best of ``--repeat`` runs (default 3; 1 at 10^7) of
wall time and of process CPU time.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
           "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

BLOCK = 10**6


def _grid(n: int):
    side = math.isqrt(n)
    other = n // side
    fin = np.linspace(0.0, 20.0, side)
    sig = np.linspace(0.0, 1.0, other)
    return np.repeat(fin, other), np.tile(sig, side)


def _time(fn, values, n, repeat):
    from batna.scenario import load_scenario

    base = dict(load_scenario("2019-barbados").values)
    fin, sig = _grid(n)
    best_wall = best_cpu = math.inf
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(0, fin.size, BLOCK):
            fn(dict(base, **{"russia.finance": fin[s:s + BLOCK], "us.secondary_sanctions": sig[s:s + BLOCK]}))
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return fin.size, best_wall, best_cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 points only")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size below 10^7 (best is reported)")
    args = ap.parse_args(argv)

    import batna
    from batna import model, quantities

    sizes = (10**4, 10**5) if args.quick else (10**4, 10**6, 10**7)
    print(f"batna {batna.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, 1 thread")
    print(f"{'function':<22} {'points':>12} {'wall s':>8} {'points/s':>11} {'CPU s':>8} {'points/CPU s':>13}")
    quantities.evaluate_all({"russia.finance": np.zeros(10)})  # warm-up (imports, caches)
    for label, fn in (("quantities.evaluate_all", quantities.evaluate_all), ("model.margin", model.margin)):
        for n in sizes:
            pts, wall, cpu = _time(fn, None, n, 1 if n >= 10**7 else args.repeat)
            print(f"{label:<22} {pts:>12,} {wall:>8.3f} {pts / wall:>11,.0f} {cpu:>8.3f} {pts / cpu:>13,.0f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
