"""Grid sweeps: every report quantity over a Cartesian grid of parameters.

:func:`sweep` returns an :class:`xarray.Dataset` whose dimensions are the
swept parameters; :func:`sweep_to_file` streams the same dataset to netCDF,
CSV or Zarr with bounded memory, optional Dask workers and ``--resume``.

Each grid point is the scenario with the swept parameters replaced by that
point's values, evaluated by :func:`batna.quantities.evaluate_all` (the engine
:func:`batna.analyse` reads), so the sweep at any point equals the report of
``load_scenario(name, overrides={...})`` at that point.  Chunks are evaluated
independently (:mod:`batna.chunks`), so results are identical for any chunk
size, worker count or scheduler.

Dataset layout
--------------
- coordinates: one per swept parameter (``units`` and ``description`` from
  :mod:`batna.parameters`, plus ``symbol`` and ``valid_range``);
- data variables: every key of :data:`batna.quantities.QUANTITIES`, with its
  ``units`` and ``description``; ``binding`` (int8) also carries CF
  ``flag_values``/``flag_meanings`` from :data:`batna.model.BINDING`;
- attributes: ``scenario``, ``scenario_digest``, ``grid`` (JSON
  ``{key: "start:stop:num" | "values[n]"}``), ``overrides`` (JSON),
  ``tol``, ``batna_version``, ``seed`` (``"none"``: a grid is not random),
  ``provenance`` (canonical JSON of :func:`batna.provenance.embedded_record`:
  batna version and the scenario's name, digest, every resolved parameter and
  the overrides; nothing machine- or path-dependent, so the bytes stay equal
  on any machine) and ``sweep_schema_version`` (1.1 added ``provenance``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from . import __version__
from . import parameters as _params
from .chunks import DEFAULT_CHUNK_SIZE, plan_chunks
from .errors import ScenarioError
from .executors import check_scheduler, run_dask, run_local
from .grid import Grid, parse_grid
from .model import BINDING
from .progress import Progress
from .provenance import canonical_json, embedded_record
from .quantities import QUANTITIES, evaluate_all
from .scenario import Scenario, load_scenario
from .sweep_output import FORMATS, MemorySink, format_from_path, make_sink

__all__ = ["SWEEP_SCHEMA_VERSION", "sweep", "sweep_to_file", "SweepStopped", "FORMATS"]

#: Version of the dataset layout above; bump on incompatible changes.
SWEEP_SCHEMA_VERSION = "1.1"
DEFAULT_TOL = 1e-9


class SweepStopped(KeyboardInterrupt):
    """Raised by the ``stop_after`` test hook: behaves like Ctrl-C after k chunks."""


def _resolve(scenario, overrides) -> Scenario:
    if isinstance(scenario, Scenario):
        if overrides:
            raise TypeError("give overrides when loading the scenario, or pass its name/path here")
        return scenario
    return load_scenario(scenario, overrides or None)


def _attrs(sc: Scenario, grid: Grid, tol: float) -> dict:
    return {
        "title": f"batna sweep of {sc.name} over {', '.join(grid.keys)}",
        "scenario": sc.name,
        "scenario_digest": sc.digest(),
        "grid": grid.to_json(),
        "overrides": json.dumps(sc.overrides, sort_keys=True, separators=(",", ":")),
        "tol": tol,
        "batna_version": __version__,
        "seed": "none",
        "provenance": canonical_json(embedded_record(sc)),
        "sweep_schema_version": SWEEP_SCHEMA_VERSION,
    }


def _coord_attrs(key: str) -> dict:
    p = _params.get(key)
    return {"units": p.unit, "description": p.meaning, "symbol": p.symbol, "valid_range": p.range_text}


def _var_attrs(name: str) -> dict:
    unit, desc = QUANTITIES[name]
    attrs = {"units": unit, "description": desc}
    if name == "binding":
        attrs["flag_values"] = np.arange(len(BINDING), dtype=np.int8)
        attrs["flag_meanings"] = " ".join(b.replace(" ", "_") for b in BINDING)
    return attrs


def _dtypes(values: Mapping[str, float], tol: float) -> dict:
    """Name -> dtype of every quantity (from a one-point evaluation), in QUANTITIES order."""
    one = evaluate_all(values, tol=tol)
    return {k: one[k].dtype for k in QUANTITIES if k in one}


def build_dataset(sc: Scenario, grid: Grid, arrays: Mapping[str, np.ndarray], tol: float):
    """Wrap grid-shaped arrays in an :class:`xarray.Dataset` with the layout above."""
    import xarray as xr

    coords = {k: (k, np.array(a), _coord_attrs(k)) for k, a in zip(grid.keys, grid.axes)}
    data = {name: (grid.keys, arrays[name], _var_attrs(name)) for name in arrays}
    return xr.Dataset(data, coords=coords, attrs=_attrs(sc, grid, tol))


def _skeleton(sc, grid, dtypes, tol):
    coords = {k: (np.array(a), _coord_attrs(k)) for k, a in zip(grid.keys, grid.axes)}
    variables = {}
    for name, dt in dtypes.items():
        attrs = _var_attrs(name)
        if "flag_values" in attrs:
            attrs["flag_values"] = attrs["flag_values"].tolist()
        variables[name] = (dt, grid.keys, attrs)
    return _attrs(sc, grid, tol), coords, variables


def _check_chunk_size(chunk_size) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ScenarioError(f"<command line>: --chunk-size {chunk_size!r}: must be an integer of at least 1")


def _runner(scheduler, workers):
    if scheduler in (None, "", "none"):
        return run_local
    return lambda *a: run_dask(*a, scheduler=scheduler, workers=workers)


def _drive(sc, grid, plan, sink, tol, scheduler, workers, progress, stop_after):
    todo = [i for i in range(len(plan)) if not sink.has(i)]
    done_pts = plan.size - sum(plan.flat_range(i)[1] - plan.flat_range(i)[0] for i in todo)
    bar = progress(plan.size, done_pts) if callable(progress) else Progress(plan.size, done_pts, enabled=bool(progress))
    n = 0
    try:
        for i, block in _runner(scheduler, workers)(sc.values, grid.keys, grid.axes, plan, todo, tol):
            sink.put(i, block)
            a, b = plan.flat_range(i)
            bar.update(b - a)
            n += 1
            if stop_after is not None and n >= stop_after and n < len(todo):
                raise SweepStopped(f"stopped after {n} chunks (test hook)")
    finally:
        bar.close()


def sweep(scenario, grid, overrides=None, *, chunk_size: int = DEFAULT_CHUNK_SIZE, tol: float = DEFAULT_TOL,
          scheduler: str | None = None, workers: int | None = None, progress=False):
    """Every report quantity over a grid, in memory.

    Parameters
    ----------
    scenario : Scenario, str or path-like
        A loaded scenario, or a file / bundled name (loaded with ``overrides``).
    grid : mapping of str to (str or array_like)
        Swept parameter -> ``"start:stop:num"`` (``numpy.linspace``) or a
        1-D array of values in the parameter's units and valid range.
    overrides : mapping or list of "key=value", optional
        Fixed values (``--set``); none may also be swept.
    chunk_size : int
        Points evaluated per chunk (bounds the intermediates' memory).
    tol : float
        Engagement-game tolerance (as :func:`batna.analyse`).
    scheduler : None, "local" or "tcp://HOST:PORT"
        None evaluates in this process; otherwise on Dask (see
        :mod:`batna.executors`).
    workers : int, optional
        Dask workers (``local``: default one per CPU).
    progress : bool
        Draw a progress bar on a terminal's stderr for runs over a second.

    Returns
    -------
    xarray.Dataset
        See the module docstring for the layout.

    Raises
    ------
    ScenarioError
        Bad scenario, override or grid specification.
    """
    sc = _resolve(scenario, overrides)
    g = parse_grid(grid, sc.overrides)
    _check_chunk_size(chunk_size)
    check_scheduler(scheduler, workers)
    plan = plan_chunks(g.shape, chunk_size)
    dtypes = _dtypes(sc.values, tol)
    sink = MemorySink(plan, dtypes)
    _drive(sc, g, plan, sink, tol, scheduler, workers, progress, None)
    return build_dataset(sc, g, sink.result(), tol)


def sweep_to_file(scenario, grid, output, overrides=None, *, fmt: str | None = None,
                  chunk_size: int = DEFAULT_CHUNK_SIZE, tol: float = DEFAULT_TOL, scheduler: str | None = None,
                  workers: int | None = None, resume: bool = False, progress=False,
                  log: Callable[[str], None] | None = None, stop_after: int | None = None) -> Path:
    """Run a sweep chunk by chunk and write it to ``output`` (atomically, resumable).

    Parameters are those of :func:`sweep`, plus:

    output : path-like
        File (netCDF, CSV) or directory (Zarr) to write.
    fmt : {"netcdf", "csv", "zarr"}, optional
        Default: from the suffix (``.nc``, ``.csv``, ``.zarr``), else netCDF.
    resume : bool
        Continue from the finished chunks in ``<output>.partial/`` (refused
        with a ScenarioError if they belong to a different sweep).
    log : callable, optional
        Receives one-line notes (e.g. how many chunks were resumed).
    stop_after : int, optional
        Test hook: raise :class:`SweepStopped` after this many chunks, as
        if interrupted.

    Returns
    -------
    pathlib.Path
        The output path.
    """
    sc = _resolve(scenario, overrides)
    g = parse_grid(grid, sc.overrides)
    fmt = format_from_path(output, fmt)
    if fmt not in FORMATS:
        raise ScenarioError(f"<command line>: --format {fmt!r}: unknown; allowed: {', '.join(FORMATS)}")
    _check_chunk_size(chunk_size)
    check_scheduler(scheduler, workers)
    plan = plan_chunks(g.shape, chunk_size)
    dtypes = _dtypes(sc.values, tol)
    manifest = {
        "scenario": sc.name,
        "scenario_digest": sc.digest(),
        "grid": g.spec_dict(),
        "grid_sha256": g.fingerprint(),
        "overrides": sc.overrides,
        "tol": tol,
        "batna_version": __version__,
    }
    if resume and os.path.exists(str(output) + ".partial"):
        # Adopt the stored chunk plan: results do not depend on it.
        try:
            stored = json.loads((Path(str(output) + ".partial") / "manifest.json").read_text())["plan"]
            if list(stored["shape"]) == list(g.shape):
                plan = type(plan)(tuple(stored["shape"]), tuple(stored["block"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    sink = make_sink(fmt, output, manifest, plan, resume, keys=g.keys, axes=g.axes, names=list(dtypes),
                     build_dataset=lambda arrays: build_dataset(sc, g, arrays, tol),
                     skeleton=_skeleton(sc, g, dtypes, tol), log=log)
    if log and sink.resumed:
        log(f"batna: resuming: {sink.resumed} of {len(plan)} chunks already done")
    _drive(sc, g, plan, sink, tol, scheduler, workers, progress, stop_after)
    return sink.finish(dtypes if fmt == "netcdf" else list(dtypes))
