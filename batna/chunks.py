"""Chunk planning and evaluation of one chunk of a sweep grid.

A grid of shape ``(n_1, ..., n_D)`` is cut into *blocks* that are both
rectangular (so Zarr can store each as whole chunks) and contiguous in C
order (so a block is the flat index range ``[start, stop)``): the block shape
is ``(1, ..., 1, c_a, n_{a+1}, ..., n_D)`` where ``a`` is the first axis whose
trailing product fits in the requested chunk size and ``c_a`` the number of
its rows that fit.  A block therefore holds at most ``chunk_size`` points
(at least one row of the last axis).

Every grid point is evaluated independently of its neighbours (the model is
element-wise), so the values do not depend on the chunk size, the order in
which chunks run or which worker runs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .quantities import evaluate_all

__all__ = ["DEFAULT_CHUNK_SIZE", "ChunkPlan", "plan_chunks", "evaluate_block"]

#: Points per chunk by default: large enough to amortise numpy's per-call
#: overhead, small enough to stay in cache-friendly memory (about 20 MB of
#: intermediates per chunk).
DEFAULT_CHUNK_SIZE = 1 << 16


@dataclass(frozen=True)
class ChunkPlan:
    """How a grid is cut into blocks.

    Attributes
    ----------
    shape : tuple of int
        Grid shape.
    block : tuple of int
        Block shape (see the module docstring).
    """

    shape: tuple
    block: tuple

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def block_size(self) -> int:
        return math.prod(self.block)

    @property
    def counts(self) -> tuple[int, ...]:
        """Number of blocks along each axis."""
        return tuple(-(-n // b) for n, b in zip(self.shape, self.block))

    def __len__(self) -> int:
        return math.prod(self.counts)

    def region(self, i: int) -> tuple[slice, ...]:
        """Index slices of block ``i`` (C order over the block grid)."""
        idx = np.unravel_index(i, self.counts)
        return tuple(slice(j * b, min((j + 1) * b, n)) for j, b, n in zip(idx, self.block, self.shape))

    def flat_range(self, i: int) -> tuple[int, int]:
        """``(start, stop)`` flat C-order indices of block ``i`` (blocks are contiguous)."""
        reg = self.region(i)
        start = int(np.ravel_multi_index(tuple(s.start for s in reg), self.shape))
        n = math.prod(s.stop - s.start for s in reg)
        return start, start + n

    def region_shape(self, i: int) -> tuple[int, ...]:
        return tuple(s.stop - s.start for s in self.region(i))

    def to_dict(self) -> dict:
        return {"shape": list(self.shape), "block": list(self.block)}


def plan_chunks(shape, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ChunkPlan:
    """Cut a grid of ``shape`` into rectangular, C-contiguous blocks of at most ``chunk_size`` points.

    If even one row of the last axis is longer than ``chunk_size``, the
    block is that one row (a block never splits the last axis).
    """
    shape = tuple(int(n) for n in shape)
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    block = list(shape)
    trailing = 1
    for a in range(len(shape) - 1, -1, -1):
        if trailing * shape[a] <= chunk_size:
            trailing *= shape[a]
            continue
        block[a] = max(1, chunk_size // trailing)
        for j in range(a):
            block[j] = 1
        break
    return ChunkPlan(shape, tuple(block))


def evaluate_block(values: Mapping[str, float], keys, axes, plan: ChunkPlan, i: int,
                   tol: float = 1e-9) -> dict[str, np.ndarray]:
    """Every report quantity on block ``i`` of a grid, as flat arrays in C order.

    Parameters
    ----------
    values : mapping of str to float
        The scenario's resolved values (``Scenario.values``); swept keys are
        replaced by their axis values.
    keys, axes : sequence
        Swept keys and their 1-D value arrays (dimension order).
    plan : ChunkPlan
    i : int
        Block index.
    tol : float
        Engagement-game tolerance passed to :func:`batna.quantities.evaluate_all`.

    Returns
    -------
    dict of str to numpy.ndarray
        Keys of :data:`batna.quantities.QUANTITIES`, each of length
        ``prod(plan.region_shape(i))``.
    """
    start, stop = plan.flat_range(i)
    idx = np.unravel_index(np.arange(start, stop), plan.shape)
    point = dict(values)
    for d, (k, a) in enumerate(zip(keys, axes)):
        point[k] = np.asarray(a)[idx[d]]
    out = evaluate_all(point, tol=tol)
    n = stop - start
    return {k: np.ascontiguousarray(np.broadcast_to(v, (n,))) for k, v in out.items()}
