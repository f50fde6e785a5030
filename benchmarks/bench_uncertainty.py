"""Benchmark: Monte Carlo at 10^5 draws and Sobol over every sponsor parameter (N = 1024).

Run: ``python benchmarks/bench_uncertainty.py``.  Targets: Monte Carlo < 2 s,
Sobol < 5 s (wall time, best of 3, imports excluded).
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from batna import montecarlo, sensitivity
from batna.scenario import load_scenario


def best_of(fn, k=3):
    times = []
    for _ in range(k):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    import SALib.analyze.sobol  # noqa: F401  - import outside the timing
    import SALib.sample.sobol  # noqa: F401

    unc = load_scenario("venezuela/2019-barbados-uncertain")
    base = load_scenario("venezuela/2019-barbados")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores")
    t, r = best_of(lambda: montecarlo.run(unc, 100_000, 7))
    print(f"montecarlo  2019-barbados-uncertain  n=100000  {len(r.distributions)} uncertain parameters  "
          f"{t:.2f} s  (target < 2 s)  P(ZOPA)={r.p_zopa.value:.4f}")
    t, r = best_of(lambda: sensitivity.run(base, "sobol", 1024, 7))
    print(f"sobol       2019-barbados  sponsor defaults  D={len(r.parameters)}  N=1024  runs={r.runs}  "
          f"{t:.2f} s  (target < 5 s)")
    t, r = best_of(lambda: sensitivity.run(base, "morris", 100, 7))
    print(f"morris      2019-barbados  sponsor defaults  D={len(r.parameters)}  N=100  runs={r.runs}  {t:.2f} s")


if __name__ == "__main__":
    main()
