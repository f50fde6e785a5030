"""Where sweep chunks go: memory, or disk with resume (netCDF, CSV, Zarr).

Every file sink works in a sidecar directory ``<output>.partial/`` holding a
``manifest.json`` (scenario digest, grid, overrides, tolerance, chunk plan,
format, batna version) and one file per finished chunk.  Each chunk file is
written to a temporary name and renamed, so a killed run never leaves a
half-written chunk; the output itself appears only at the end, by an atomic
rename (:func:`batna.io.atomic_write_bytes` for netCDF; the same
temp-file-and-``os.replace`` pattern for streamed CSV and the Zarr
directory).  ``--resume`` reuses the finished chunks after checking the
manifest describes the same sweep; the sidecar is removed on success.

Formats
-------
netcdf
    netCDF-3 (64-bit offset) through xarray's ``scipy`` engine: no
    timestamps or library versions are embedded, so equal inputs give equal
    bytes.  Chunks are kept as ``.npz`` files; the dataset is assembled in
    memory at the end (182 bytes per grid point, about twice that at the
    peak while scipy writes it): use CSV or Zarr for grids that do not fit.
csv
    One row per grid point in C order: the swept parameters, then every
    quantity.  Floats are written like Python's ``repr`` (shortest string
    that reads back to the same float; ``nan`` for NaN), booleans as 0/1.
    Streamed: memory stays bounded by one chunk.
zarr
    A Zarr v3 directory store written chunk by chunk (one Zarr chunk per
    sweep chunk, zstd-compressed) with consolidated metadata: memory stays
    bounded by one chunk for any grid size.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .chunks import ChunkPlan
from .errors import ScenarioError
from .io import atomic_write, atomic_write_bytes

__all__ = ["FORMATS", "MemorySink", "make_sink", "partial_dir", "format_from_path"]

FORMATS = ("netcdf", "csv", "zarr")
_SUFFIX = {".nc": "netcdf", ".nc4": "netcdf", ".cdf": "netcdf", ".csv": "csv", ".zarr": "zarr"}


def format_from_path(path, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else guessed from the suffix (default netcdf)."""
    if fmt:
        return fmt
    return _SUFFIX.get(Path(path).suffix.lower(), "netcdf")


def partial_dir(output) -> Path:
    """The sidecar directory of an output file."""
    return Path(str(output) + ".partial")


class MemorySink:
    """Collects chunks into full in-memory arrays (grid shape), for :func:`batna.sweep.sweep`."""

    def __init__(self, plan: ChunkPlan, dtypes: dict):
        self.plan = plan
        self.arrays = {k: np.empty(plan.size, dtype=dt) for k, dt in dtypes.items()}

    def has(self, i: int) -> bool:
        return False

    def put(self, i: int, block: dict) -> None:
        a, b = self.plan.flat_range(i)
        for k, v in block.items():
            self.arrays[k][a:b] = v

    def result(self) -> dict:
        return {k: v.reshape(self.plan.shape) for k, v in self.arrays.items()}


class _FileSink:
    """Common part of the file sinks: the sidecar directory, manifest and done-markers."""

    fmt = ""

    def __init__(self, output, manifest: dict, plan: ChunkPlan, resume: bool, log=None):
        self.output = Path(output)
        self.dir = partial_dir(self.output)
        self.plan = plan
        self.resumed = 0
        manifest = dict(manifest, format=self.fmt, plan=plan.to_dict())
        mpath = self.dir / "manifest.json"
        if self.dir.exists() and resume:
            try:
                old = json.loads(mpath.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise ScenarioError(f"{self.dir}: cannot resume: no readable manifest.json; "
                                    f"delete the directory to start again") from None
            diff = [k for k in manifest if k != "plan" and old.get(k) != manifest[k]]
            if "grid" in diff and "grid_sha256" in diff:
                diff.remove("grid_sha256")
            if diff:
                details = "; ".join(f"{k}: was {old.get(k)!r}, now {manifest[k]!r}" for k in diff)
                raise ScenarioError(f"{self.output}: cannot resume: {self.dir} belongs to a different "
                                    f"sweep ({details}); rerun without --resume to start again")
            self._open()
            self.resumed = sum(self.has(i) for i in range(len(plan)))
        else:
            if self.dir.exists():
                if log:
                    log(f"batna: discarding the unfinished sweep in {self.dir} (use --resume to continue it)")
                shutil.rmtree(self.dir)
            self.dir.mkdir(parents=True)
            self._create()
            atomic_write_bytes(mpath, json.dumps(manifest, indent=1, sort_keys=True).encode())

    # subclasses -----------------------------------------------------------
    def _create(self) -> None:
        pass

    def _open(self) -> None:
        pass

    def _chunk_path(self, i: int) -> Path:
        return self.dir / f"chunk-{i:07d}.{self._ext}"

    def has(self, i: int) -> bool:
        return self._chunk_path(i).exists()

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class NetcdfSink(_FileSink):
    fmt = "netcdf"
    _ext = "npz"

    def __init__(self, output, manifest, plan, resume, build_dataset, log=None):
        self.build_dataset = build_dataset
        super().__init__(output, manifest, plan, resume, log)

    def put(self, i: int, block: dict) -> None:
        atomic_write(self._chunk_path(i), lambda fh: np.savez(fh, **{f"v{j}": v for j, v in enumerate(block.values())},
                                                               names=np.array(list(block))), sync=False)

    def finish(self, dtypes: dict) -> Path:
        arrays = {k: np.empty(self.plan.size, dtype=dt) for k, dt in dtypes.items()}
        for i in range(len(self.plan)):
            a, b = self.plan.flat_range(i)
            with np.load(self._chunk_path(i)) as z:
                for j, name in enumerate(z["names"]):
                    arrays[str(name)][a:b] = z[f"v{j}"]
        ds = self.build_dataset({k: v.reshape(self.plan.shape) for k, v in arrays.items()})
        # Same bytes as atomic_write_bytes(output, ds.to_netcdf()) without a second in-memory copy.
        atomic_write(self.output, lambda fh: ds.to_netcdf(fh, engine="scipy", format="NETCDF3_64BIT"))
        self.cleanup()
        return self.output


def _csv_text(values) -> list[str]:
    a = np.asarray(values)
    if a.dtype == bool:
        return np.where(a, "1", "0").tolist()
    return a.astype(str).tolist()  # numpy's shortest round-trip repr, same as repr(float)


class CsvSink(_FileSink):
    fmt = "csv"
    _ext = "csv"

    def __init__(self, output, manifest, plan, resume, keys, axes, names, log=None):
        self.keys, self.axes, self.names = keys, axes, list(names)
        super().__init__(output, manifest, plan, resume, log)

    def put(self, i: int, block: dict) -> None:
        a, b = self.plan.flat_range(i)
        idx = np.unravel_index(np.arange(a, b), self.plan.shape)
        cols = [_csv_text(ax[idx[d]]) for d, ax in enumerate(self.axes)]
        cols += [_csv_text(block[n]) for n in self.names]
        text = "".join(",".join(row) + "\n" for row in zip(*cols))
        atomic_write(self._chunk_path(i), lambda fh: fh.write(text.encode()), sync=False)

    def finish(self, names=None) -> Path:
        header = ",".join(list(self.keys) + self.names) + "\n"

        def write(fh):
            fh.write(header.encode())
            for i in range(len(self.plan)):
                with open(self._chunk_path(i), "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)

        atomic_write(self.output, write)
        self.cleanup()
        return self.output


class ZarrSink(_FileSink):
    fmt = "zarr"
    _ext = "done"

    def __init__(self, output, manifest, plan, resume, skeleton, log=None):
        self.skeleton = skeleton  # (attrs, coords, variables) from batna.sweep
        super().__init__(output, manifest, plan, resume, log)

    @property
    def store(self) -> Path:
        return self.dir / "store.zarr"

    def _create(self) -> None:
        import zarr

        attrs, coords, variables = self.skeleton
        g = zarr.open_group(str(self.store), mode="w", zarr_format=3, attributes=attrs)
        for name, (values, vattrs) in coords.items():
            arr = g.create_array(name, shape=values.shape, dtype=values.dtype, chunks=values.shape,
                                 dimension_names=[name], fill_value=np.nan, attributes=vattrs)
            arr[...] = values
        for name, (dtype, dims, vattrs) in variables.items():
            fill = np.nan if np.dtype(dtype).kind == "f" else np.zeros((), dtype=dtype).item()
            g.create_array(name, shape=self.plan.shape, dtype=dtype, chunks=self.plan.block,
                           dimension_names=list(dims), fill_value=fill, attributes=vattrs)
        self._open()

    def _open(self) -> None:
        import zarr

        self.group = zarr.open_group(str(self.store), mode="r+", zarr_format=3)

    def put(self, i: int, block: dict) -> None:
        region = self.plan.region(i)
        shape = self.plan.region_shape(i)
        for k, v in block.items():
            self.group[k][region] = v.reshape(shape)
        self._chunk_path(i).touch()

    def finish(self, names=None) -> Path:
        import zarr

        with warnings.catch_warnings():  # consolidated metadata is not yet in the v3 spec
            warnings.simplefilter("ignore")
            zarr.consolidate_metadata(str(self.store))
        out = self.output
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
        os.replace(self.store, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.cleanup()
        return out


def make_sink(fmt: str, output, manifest: dict, plan: ChunkPlan, resume: bool, *, keys, axes, names,
              build_dataset, skeleton, log=None):
    """The file sink for ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "netcdf":
        return NetcdfSink(output, manifest, plan, resume, build_dataset, log)
    if fmt == "csv":
        return CsvSink(output, manifest, plan, resume, keys, axes, names, log)
    if fmt == "zarr":
        return ZarrSink(output, manifest, plan, resume, skeleton, log)
    raise ScenarioError(f"<command line>: --format {fmt!r}: unknown; allowed: {', '.join(FORMATS)}")
