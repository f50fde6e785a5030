"""Sweep throughput and peak memory, single core.

Usage::

    python benchmarks/bench_sweep.py            # 10^4, 10^6, 10^7 points
    python benchmarks/bench_sweep.py --quick    # 10^4, 10^5 points

Each measurement runs in a fresh subprocess (so its peak resident memory,
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, is its own) on a square grid
of ``russia.finance`` x ``us.secondary_sanctions`` over the bundled
2019-barbados scenario, with the default chunk size.  Two modes:

evaluate
    every report quantity (:func:`batna.quantities.evaluate_all`) on every
    chunk, results discarded: the model's throughput.
zarr
    ``batna.sweep.sweep_to_file(..., fmt="zarr")``: the full pipeline,
    streamed to a temporary Zarr store chunk by chunk.

Linear cost shows as a constant points/s and a peak memory that does not
grow with the number of points.  Wall-clock rates depend on what else the
machine is doing; points per CPU second (``time.process_time``, this process
only) are the load-independent figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time


def _grid(n: int) -> dict:
    side = math.isqrt(n)
    return {"russia.finance": f"0:20:{side}", "us.secondary_sanctions": f"0:1:{n // side}"}


def _one(mode: str, n: int) -> dict:
    from batna.chunks import DEFAULT_CHUNK_SIZE, evaluate_block, plan_chunks
    from batna.grid import parse_grid
    from batna.scenario import load_scenario
    from batna.sweep import sweep_to_file

    sc = load_scenario("2019-barbados")
    g = parse_grid(_grid(n))
    t0, c0 = time.perf_counter(), time.process_time()
    if mode == "evaluate":
        plan = plan_chunks(g.shape, DEFAULT_CHUNK_SIZE)
        for i in range(len(plan)):
            evaluate_block(sc.values, g.keys, g.axes, plan, i)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            sweep_to_file(sc, _grid(n), os.path.join(tmp, "s.zarr"))
            t_end, c_end = time.perf_counter(), time.process_time()
    t1, c1 = (time.perf_counter(), time.process_time()) if mode == "evaluate" else (t_end, c_end)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"mode": mode, "points": g.size, "seconds": t1 - t0, "cpu_seconds": c1 - c0, "peak_rss_mb": rss}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 points only")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]))))
        return 0
    sizes = (10**4, 10**5) if args.quick else (10**4, 10**6, 10**7)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    import numpy

    import batna

    print(f"batna {batna.__version__}, numpy {numpy.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'mode':<9} {'points':>12} {'wall s':>8} {'points/s':>10} {'CPU s':>8} {'points/CPU s':>13} "
          f"{'peak RSS MB':>12}")
    for mode in ("evaluate", "zarr"):
        for n in sizes:
            out = subprocess.run([sys.executable, __file__, "--one", mode, str(n)], env=env,
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{mode:<9} {r['points']:>12,} {r['seconds']:>8.2f} {r['points'] / r['seconds']:>10,.0f} "
                  f"{r['cpu_seconds']:>8.2f} {r['points'] / r['cpu_seconds']:>13,.0f} {r['peak_rss_mb']:>12.0f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
