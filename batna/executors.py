"""Running sweep chunks: in this process, or on a Dask cluster.

Both executors yield ``(i, block)`` pairs, ``block`` being the dict of flat
arrays :func:`batna.chunks.evaluate_block` returns.  The Dask executor may
yield chunks in any order; sinks place each chunk by its index, so the
output is the same bytes either way.

``scheduler="local"`` starts a :class:`dask.distributed.LocalCluster` of
``workers`` single-threaded worker processes on this machine;
``scheduler="tcp://HOST:PORT"`` connects to a running scheduler (start one
with ``dask scheduler`` and ``dask worker tcp://HOST:PORT``; the workers need
the same batna and numpy versions, which is checked per chunk).  At most
``2 * workers`` chunks are in flight, so memory stays bounded on both sides.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator

import numpy as np

from .chunks import ChunkPlan, evaluate_block
from .errors import ScenarioError

__all__ = ["run_local", "run_dask", "check_scheduler"]


def check_scheduler(scheduler, workers) -> None:
    """Raise ScenarioError for a scheduler or worker count the executors cannot use."""
    if scheduler not in (None, "", "none", "local") and not str(scheduler).startswith("tcp://"):
        raise ScenarioError(f"<command line>: --scheduler {scheduler!r}: expected 'local' or tcp://HOST:PORT")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ScenarioError(f"<command line>: --workers {workers!r}: must be an integer of at least 1")


def run_local(values, keys, axes, plan: ChunkPlan, todo: Iterable[int], tol: float) -> Iterator:
    """Evaluate the chunks ``todo`` one after another in this process."""
    for i in todo:
        yield i, evaluate_block(values, keys, axes, plan, i, tol)


def _remote_block(values, keys, axes, plan, i, tol, versions):
    import batna

    mine = (batna.__version__, np.__version__)
    if tuple(versions) != mine:
        raise RuntimeError(f"worker has batna/numpy {mine}, client has {tuple(versions)}")
    return i, evaluate_block(values, keys, axes, plan, i, tol)


def run_dask(values, keys, axes, plan: ChunkPlan, todo: Iterable[int], tol: float,
             scheduler: str = "local", workers: int | None = None) -> Iterator:
    """Evaluate the chunks ``todo`` on a Dask cluster (see the module docstring)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ScenarioError("<command line>: --scheduler needs dask.distributed: "
                            "pip install 'batna[dask]'") from None
    import batna

    cluster = None
    if scheduler == "local":
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=50)
        client = Client(cluster)
    elif scheduler.startswith("tcp://"):
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ScenarioError(f"<command line>: --scheduler {scheduler}: cannot connect ({exc})") from None
        n = workers or max(1, len(client.scheduler_info().get("workers", {})))
    else:
        raise ScenarioError(f"<command line>: --scheduler {scheduler!r}: expected 'local' or tcp://HOST:PORT")
    versions = (batna.__version__, np.__version__)
    try:
        shared = client.scatter([values, list(keys), [np.asarray(a) for a in axes], plan], broadcast=True)
        pending = iter(todo)
        ac = as_completed()

        def submit():
            i = next(pending, None)
            if i is not None:
                ac.add(client.submit(_remote_block, *shared[:4], i, tol, versions, pure=False))

        for _ in range(2 * n):
            submit()
        for fut in ac:
            i, block = fut.result()
            fut.release()
            submit()
            yield i, block
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
