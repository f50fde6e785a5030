"""``batna sweep``: every report quantity over a grid of parameters, written to netCDF, CSV or Zarr."""

from __future__ import annotations

import argparse
import os
import sys

from .chunks import DEFAULT_CHUNK_SIZE
from .errors import ScenarioError
from .scenario import DEFAULT_SCENARIO

NAME = "sweep"

EXAMPLES = """examples:
  batna sweep 2019-barbados --grid russia.finance=0:20:41 --grid us.secondary_sanctions=0:1:21
  batna sweep 2019-barbados --grid cuba.security=0:1:101 --output cuba.csv
  batna sweep 2019-barbados --grid russia.finance=0:50:1001 --grid china.finance=0:50:1001 \\
      --format zarr --output big.zarr --scheduler local --workers 2
  batna sweep 2019-barbados --grid russia.finance=0:20:41 --output s.nc --resume   # after an interruption

Grid specs are START:STOP:NUM, read like numpy.linspace(START, STOP, NUM) (both ends included).
Open the result with xarray.open_dataset(FILE) (Zarr: engine="zarr").
"""


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser(
        NAME, help="evaluate every report quantity over a grid of parameters",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Evaluate every scalar report quantity (BATNAs, margin, ZOPA bounds, binding "
                    "constraint, bargaining solutions, engagement-game facts) at every point of a grid of "
                    "parameter values, in chunks, and write an xarray dataset whose dimensions are the swept "
                    "parameters.")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario file or bundled name (default: {DEFAULT_SCENARIO})")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=START:STOP:NUM", required=True,
                   help="sweep a parameter over NUM points from START to STOP (repeatable: one dimension each)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="fix a parameter, e.g. --set us.relief=0.5 (repeatable)")
    p.add_argument("--output", "-o", metavar="FILE",
                   help="output file (Zarr: directory); default sweep.nc / sweep.csv / sweep.zarr")
    p.add_argument("--format", choices=("netcdf", "csv", "zarr"),
                   help="output format (default: from the output's suffix, else netcdf)")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, metavar="N",
                   help=f"grid points per chunk (default {DEFAULT_CHUNK_SIZE}); results do not depend on it")
    p.add_argument("--scheduler", metavar="local|tcp://HOST:PORT",
                   help="evaluate chunks on Dask: 'local' starts a cluster on this machine; "
                        "tcp://HOST:PORT uses a running scheduler (default: in this process)")
    p.add_argument("--workers", type=int, metavar="N", help="Dask workers for --scheduler local (default: CPUs)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted sweep from the finished chunks in OUTPUT.partial/")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no notes on stderr")


def run(args) -> int:
    from .grid import parse_grid_option
    from .provenance import write_manifest
    from .scenario import load_scenario
    from .sweep import sweep_to_file

    fmt = args.format
    output = args.output or {"csv": "sweep.csv", "zarr": "sweep.zarr"}.get(fmt, "sweep.nc")
    # The recorded command names its output, so that `batna reproduce` can redirect it.
    argv = list(args.argv) if args.output else list(args.argv) + ["--output", output]
    if args.workers is not None and args.workers < 1:
        raise ScenarioError(f"<command line>: --workers {args.workers}: must be at least 1")
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    stop = os.environ.get("BATNA_SWEEP_STOP_AFTER")  # test hook: behave as if interrupted after k chunks
    scenario = load_scenario(args.scenario, args.overrides)
    grid = parse_grid_option(args.grid)
    path = sweep_to_file(scenario, grid, output, fmt=fmt,
                         chunk_size=args.chunk_size, scheduler=args.scheduler, workers=args.workers,
                         resume=args.resume, progress=not args.quiet, log=log,
                         stop_after=int(stop) if stop else None)
    # The run manifest (docs/reproducibility.md); a Zarr store is hashed as a directory tree.
    manifest = write_manifest([path], argv, [scenario], extra={"grid": dict(grid)})
    if log:
        log(f"wrote {path}")
        log(f"wrote {manifest}")
    return 0
