"""Bit-for-bit check of the model's array outputs against a saved reference.

Usage::

    python benchmarks/check_identical.py --save REF.npz     # before changing the model
    python benchmarks/check_identical.py --compare REF.npz  # after each change

Evaluates, on about 500,000 points,

- :func:`batna.quantities.evaluate_all` (every report quantity),
- every array field of :func:`batna.model.evaluate`,
- :func:`batna.model.margin`,
- every output of :func:`batna.agreement.solutions` and
  :func:`batna.quantities.compromise`,

over four families of inputs: (1) random valid parameter sets (each value
uniform in its range, or exactly a bound, or a round value 0.25/0.5/0.75 of
the range, so breakpoints tie and pieces collapse often); (2) every bundled
scenario, one point each, as 0-d scalars; (3) around every bundled scenario,
a 1-D sweep of each parameter over its whole range (as a 1-D array with all
other values scalar); (4) a 2-D grid (russia.finance x us.secondary_sanctions,
and relief threshold x hardliner floor) over every scenario, broadcast from
a column and a row.  Arrays are compared with ``np.array_equal(...,
equal_nan=True)`` and equal dtype and shape, so a single changed bit fails.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from batna import agreement, model, quantities
from batna.parameters import PARAMETERS
from batna.scenario import bundled_scenarios, load_scenario

SEED = 20240611
N_RANDOM = 300_000


def _random_values(rng, n):
    out = {}
    for p in PARAMETERS:
        lo = np.nextafter(p.low, np.inf) if p.low_open else p.low
        hi = np.nextafter(p.high, -np.inf) if p.high_open else p.high
        v = rng.uniform(lo, hi, n)
        kind = rng.integers(0, 10, n)
        v = np.where(kind == 0, lo, v)
        v = np.where(kind == 1, hi, v)
        rnd = p.low + (p.high - p.low) * rng.choice([0.25, 0.5, 0.75], n)
        v = np.where(kind == 2, rnd, v)
        out[p.key] = v
    return out


def _cases():
    rng = np.random.default_rng(SEED)
    yield "random", _random_values(rng, N_RANDOM)
    for name in sorted(bundled_scenarios()):
        sc = load_scenario(name)
        base = dict(sc.values)
        yield f"{name}/point", base
        for p in PARAMETERS:
            lo = np.nextafter(p.low, np.inf) if p.low_open else p.low
            hi = np.nextafter(p.high, -np.inf) if p.high_open else p.high
            yield f"{name}/{p.key}", dict(base, **{p.key: np.linspace(lo, hi, 257)})
        for a, b, ra, rb in (("russia.finance", "us.secondary_sanctions", (0, 20), (0, 1)),
                             ("us.relief_threshold", "opposition.hardliner_floor", (0, 1), (0, 1))):
            yield f"{name}/{a}x{b}", dict(base, **{a: np.linspace(*ra, 101)[:, None],
                                                   b: np.linspace(*rb, 97)[None, :]})


def _outputs(values):
    res = model.evaluate(values)
    out = {f"evaluate_all.{k}": v for k, v in quantities.evaluate_all(values).items()}
    out.update({f"evaluate.{k}": v for k, v in res.arrays().items()})
    out["margin"] = model.margin(values)
    sol = agreement.solutions(res)
    out.update({f"solutions.{k}": v for k, v in sol.items()})
    for k, v in zip(("x", "gain_G", "gain_O"), quantities.compromise(res, sol["nash.x"])):
        out[f"compromise.{k}"] = v
    return {k: np.asarray(v) for k, v in out.items()}


def compute() -> dict[str, np.ndarray]:
    ref: dict[str, np.ndarray] = {}
    for case, values in _cases():
        for k, v in _outputs(values).items():
            ref[f"{case}|{k}"] = v
    return ref


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", metavar="REF.npz")
    g.add_argument("--compare", metavar="REF.npz")
    args = ap.parse_args(argv)
    cur = compute()
    n_points = sum(v.size for k, v in cur.items() if k.endswith("|margin"))
    if args.save:
        np.savez_compressed(args.save, **cur)
        print(f"saved {len(cur)} arrays, {n_points:,} points, to {args.save}")
        return 0
    with np.load(args.compare) as f:
        ref = {k: f[k] for k in f.files}
    bad = []
    if set(ref) != set(cur):
        bad.append(f"keys differ: missing {sorted(set(ref) - set(cur))[:5]}, extra {sorted(set(cur) - set(ref))[:5]}")
    for k in sorted(set(ref) & set(cur)):
        a, b = ref[k], cur[k]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            if a.shape != b.shape or a.dtype != b.dtype:
                n = "shape/dtype"
            else:
                same = (a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else a == b
                n = int(np.sum(~same))
            bad.append(f"{k}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}, differing: {n}")
    for line in bad[:40]:
        print("DIFF", line)
    print(f"compared {len(ref)} arrays, {n_points:,} points: {'IDENTICAL' if not bad else f'{len(bad)} DIFFER'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
