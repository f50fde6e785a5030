"""``batna sensitivity``: Sobol or Morris indices and tornado data for a scenario."""

from __future__ import annotations

import argparse

from .cli_uncertainty import add_common, emit, positive_int, resolve_seed, sensitivity_text
from .scenario import load_scenario
from .sensitivity import METHODS, int_seed, run as _run

NAME = "sensitivity"

EXAMPLES = """examples:
  batna sensitivity 2019-barbados-uncertain --method sobol -n 1024 --seed 7
  batna sensitivity 2019-barbados --method morris -n 50    # no [uncertainty]: sponsor parameters, uniform
  batna sensitivity 2019-barbados-uncertain --format json --output sobol.json

-n is the number of Sobol base samples (a power of 2; N (D + 2) model runs) or
of Morris trajectories (N (D + 1) runs) for D uncertain parameters.
"""


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser(NAME, help="global sensitivity (Sobol, Morris) and tornado data",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Rank the uncertain parameters by their effect on the margin and "
                              "on the ZOPA indicator: Sobol first-order and total indices with confidence "
                              "intervals, or Morris mu*/sigma; plus one-at-a-time tornado swings of the "
                              "margin.  Without an [uncertainty] table every sponsor parameter is varied "
                              "uniformly over its valid range.")
    add_common(p)
    p.add_argument("--method", choices=METHODS, default="sobol", help="sobol (default) or morris")
    p.add_argument("-n", type=positive_int, default=1024, metavar="N",
                   help="Sobol base samples (power of 2) or Morris trajectories (default: 1024)")


def run(args) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    seed, argv = resolve_seed(args, lambda: int_seed(None))  # 32 bits: SALib's seed
    result = _run(scenario, args.method, args.n, seed)
    emit(result, args.format, args.output, sensitivity_text, argv=argv, scenario=scenario, seed=seed)
    return 0
