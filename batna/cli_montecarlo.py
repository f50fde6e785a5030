"""``batna montecarlo``: Monte Carlo over a scenario's ``[uncertainty]`` table."""

from __future__ import annotations

import argparse

import numpy as np

from .cli_uncertainty import add_common, emit, montecarlo_text, positive_int, resolve_seed
from . import montecarlo
from .montecarlo import BLOCK
from .scenario import load_scenario

NAME = "montecarlo"

EXAMPLES = f"""examples:
  batna montecarlo 2019-barbados-uncertain -n 100000 --seed 7
  batna montecarlo 2019-barbados-uncertain -n 100000 --seed 7 --format json --output mc.json
  batna montecarlo my.toml -n 1000000 --chunk-size 100000 --scheduler local --workers 2

Draws are seeded in blocks of {BLOCK}: the result is bit-identical for any
--chunk-size, --scheduler and --workers.
"""


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser(NAME, help="Monte Carlo over the scenario's [uncertainty] table",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Draw the uncertain parameters, evaluate every report quantity and "
                              "summarise: P(ZOPA), P((Engage, Engage) is an equilibrium), the margin's "
                              "distribution and the bargaining outcomes given a ZOPA, with Monte Carlo "
                              "standard errors.")
    add_common(p)
    p.add_argument("-n", type=positive_int, default=10000, metavar="N", help="number of draws (default: 10000)")
    p.add_argument("--chunk-size", type=positive_int, default=None, metavar="N",
                   help=f"draws per task, rounded up to whole blocks of {BLOCK} (default: one task)")
    p.add_argument("--scheduler", choices=("serial", "local"), default="serial",
                   help="serial (default) or local: a dask.distributed LocalCluster")
    p.add_argument("--workers", type=positive_int, default=2, metavar="W",
                   help="worker processes for --scheduler local (default: 2)")


def run(args) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    seed, argv = resolve_seed(args, lambda: np.random.SeedSequence().entropy)  # 128 bits (SPEC 7)
    result = montecarlo.run(scenario, args.n, seed, chunk_size=args.chunk_size, scheduler=args.scheduler,
                            workers=args.workers)
    emit(result, args.format, args.output, montecarlo_text, argv=argv, scenario=scenario, seed=seed)
    return 0

