"""Run manifests: what was run, on what, with which software, and what it wrote.

Every command that writes files records a *run manifest* next to its first
output, ``<output>.manifest.json``, so that ``batna reproduce MANIFEST`` can
re-run it and say whether the outputs come out identical.

Calling it from a command
-------------------------
One call, after every output file has been written::

    from batna import provenance

    def run(args) -> int:
        scenario = load_scenario(args.scenario, args.overrides)
        ...                                    # write args.output (atomically, batna.io)
        if args.output:
            m = provenance.write_manifest([args.output], args.argv, [scenario],
                                          seed=seed_entropy, extra={"grid": {...}})
            print(f"wrote {m}", file=sys.stderr)
        return 0

``args.argv`` is the argument list :func:`batna.cli.main` parsed (set by
``main`` on every command's namespace).  The recorded command must re-create
the run by itself: if a command draws fresh entropy when no ``--seed`` is
given, pass ``args.argv + ["--seed", str(entropy)]``.  Each output must be
named on the command line (as an argument, ``--opt=PATH``, or a directory
argument that contains it) so that ``reproduce`` can redirect it to a
temporary directory; otherwise :func:`write_manifest` raises ``ValueError``
(a programming error, not a user error).  Pass ``output_args`` (argv indices)
to say explicitly which arguments are output paths.  An output must not
contain its own path (or anything else that changes when it is written
elsewhere), or ``reproduce`` will report that difference.

Manifest fields
---------------
``format``, ``manifest_version``
    ``"batna-run-manifest"`` and :data:`MANIFEST_VERSION`.
``created_utc``
    ISO 8601 UTC timestamp.  The only field excluded from comparisons
    (:data:`VOLATILE_FIELDS`).
``software``
    ``python``, ``batna`` and the versions of numpy, scipy, nashpy and of
    whichever of xarray, SALib, dask, matplotlib, numba are installed
    (:func:`software_versions`, from :mod:`importlib.metadata`).
``platform``
    Operating system, machine and Python implementation.
``command``
    ``argv`` (list, without the program name), ``cwd`` and ``output_args``:
    which argv entries name outputs (``index``, ``prefix`` such as
    ``"--output="``, ``path``, ``kind`` ``"file"``, ``"dir"`` or ``"stem"``
    (a path the command adds extensions to; only with explicit
    ``output_args``), and ``siblings``: outputs written beside it).
``scenarios``
    One entry per scenario used: ``name``, ``path``, ``files`` (each with
    ``path`` as read, ``resolved`` absolute path and ``sha256`` of its
    canonical form, :func:`canonical_toml_sha256`), ``values`` (every resolved
    parameter), ``overrides``, ``sources`` and ``digest``
    (:meth:`batna.Scenario.digest`).
``seed``
    ``None`` or ``{"entropy": int, "spawn_key": [...]}``.
``outputs``
    One entry per file written: ``path`` (as given), ``resolved``, ``sha256``
    of the bytes and ``bytes`` (size).  A directory output (a Zarr store)
    has ``kind: "dir"``, ``files`` (count), ``bytes`` (total) and the tree
    hash of :func:`sha256_path`.
``extra``
    Whatever the command adds (JSON-serialisable).

Nothing volatile goes into the outputs themselves: the timestamp lives only in
the manifest, so outputs stay byte-deterministic.  Outputs that can carry
metadata (a sweep's netCDF/Zarr attributes, the JSON of ``montecarlo`` and
``sensitivity``) embed :func:`embedded_record`, the machine-independent part.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import platform as _platform
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from . import __version__
from .errors import ScenarioError
from .io import atomic_write_text

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_VERSION",
    "MANIFEST_SUFFIX",
    "VOLATILE_FIELDS",
    "CORE_PACKAGES",
    "OPTIONAL_PACKAGES",
    "canonical_json",
    "canonical_toml_sha256",
    "sha256_file",
    "sha256_path",
    "path_bytes",
    "tree_differences",
    "embedded_record",
    "software_versions",
    "platform_info",
    "manifest_path",
    "build_manifest",
    "write_manifest",
    "read_manifest",
    "without_volatile",
    "compare_manifests",
    "Difference",
    "json_differences",
]

MANIFEST_FORMAT = "batna-run-manifest"
#: Bump on any incompatible change of the manifest layout.
MANIFEST_VERSION = 1
#: ``<output>`` + this suffix is the manifest's default file name.
MANIFEST_SUFFIX = ".manifest.json"
#: Top-level fields that differ between two runs of the same command and are never compared.
VOLATILE_FIELDS = ("created_utc",)
#: Distributions always recorded (the model's numerics depend on them).
CORE_PACKAGES = ("numpy", "scipy", "nashpy")
#: Distributions recorded when installed (sweeps, sensitivity, plots, JIT).
OPTIONAL_PACKAGES = ("xarray", "SALib", "dask", "matplotlib", "numba")


# --------------------------------------------------------------------------- hashing


def _normalise(obj):
    """Make parsed TOML JSON-ready: every number a float, dates as ISO strings."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        return float(obj)
    if isinstance(obj, Mapping):
        return {str(k): _normalise(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_normalise(v) for v in obj]
    if isinstance(obj, (_dt.datetime, _dt.date, _dt.time)):
        return {"__toml_datetime__": obj.isoformat()}
    raise TypeError(f"cannot canonicalise {type(obj).__name__}")


def canonical_json(obj) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8 characters kept.

    NaN and infinities are written as the tokens ``NaN``/``Infinity`` (they can
    be hashed but are not valid JSON; valid scenarios never contain them).
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def canonical_toml_sha256(path) -> str:
    """SHA-256 (hex) of a TOML file's *content*, independent of its layout.

    The file is parsed with :mod:`tomllib`, every number is converted to a
    float (so ``2`` and ``2.0`` agree, as they do once loaded as parameters),
    and the result is dumped by :func:`canonical_json`.  Whitespace, comments,
    key order, quoting style and dotted-key versus table layout therefore do
    not change the hash; any changed, added or removed value does.

    Raises
    ------
    ScenarioError
        If the file cannot be read or is not valid TOML.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path}: not a valid TOML file: {exc}") from None
    return hashlib.sha256(canonical_json(_normalise(data)).encode("utf-8")).hexdigest()


def sha256_file(path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_files(path: Path) -> list[Path]:
    """Every regular file under a directory, sorted by relative POSIX path (symlinks not followed)."""
    return sorted((p for p in path.rglob("*") if p.is_file() and not p.is_symlink()),
                  key=lambda p: p.relative_to(path).as_posix())


def sha256_path(path) -> str:
    """SHA-256 (hex) of a file's bytes, or of a directory tree (e.g. a Zarr store).

    A directory's hash covers every regular file below it, in sorted order
    of the relative POSIX path: for each file the line
    ``<relative path>NUL<sha256 of its bytes>LF`` (NUL and LF being the
    bytes 0x00 and 0x0a) is fed to one SHA-256.  It
    is therefore independent of where the directory lives, of file
    timestamps and of the order the file system lists entries in; any
    added, removed, renamed or changed file changes it.  Empty directories
    do not count.
    """
    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)
    h = hashlib.sha256()
    for f in _tree_files(path):
        h.update(f"{f.relative_to(path).as_posix()}\0{sha256_file(f)}\n".encode("utf-8"))
    return h.hexdigest()


def path_bytes(path) -> int:
    """Size in bytes of a file, or the total size of the files in a directory tree."""
    path = Path(path)
    if not path.is_dir():
        return path.stat().st_size
    return sum(f.stat().st_size for f in _tree_files(path))


def tree_differences(a, b) -> list[str]:
    """Relative paths of the files that differ between two directory trees (sorted).

    A file present on one side only counts as differing.
    """
    a, b = Path(a), Path(b)
    fa = {f.relative_to(a).as_posix(): f for f in _tree_files(a)}
    fb = {f.relative_to(b).as_posix(): f for f in _tree_files(b)}
    return [k for k in sorted(set(fa) | set(fb))
            if k not in fa or k not in fb or sha256_file(fa[k]) != sha256_file(fb[k])]


# --------------------------------------------------------------------------- environment


def software_versions() -> dict[str, str]:
    """Versions of Python, batna, the core dependencies and installed optional ones.

    Read from installed distributions' metadata (:mod:`importlib.metadata`),
    so nothing is imported.  A core package without metadata is recorded as
    ``"not installed"``; optional packages that are not installed are omitted.
    """
    out = {"python": _platform.python_version(), "batna": __version__}
    for name in CORE_PACKAGES + OPTIONAL_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name in CORE_PACKAGES:
                out[name] = "not installed"
    return out


def platform_info() -> dict[str, str]:
    """Operating system, machine and Python build."""
    return {
        "system": _platform.system(),
        "release": _platform.release(),
        "machine": _platform.machine(),
        "python_implementation": _platform.python_implementation(),
        "platform": _platform.platform(),
    }


# --------------------------------------------------------------------------- building


def manifest_path(output) -> Path:
    """The default manifest path of an output file: ``<output>.manifest.json``."""
    return Path(str(output) + MANIFEST_SUFFIX)


def _real(path, cwd: str) -> str:
    return os.path.realpath(os.path.join(cwd, os.fspath(path)))


def _split_option(arg: str) -> tuple[str, str]:
    """``--output=x`` -> (``--output=``, ``x``); ``-ox`` -> (``-o``, ``x``); else ("", arg)."""
    if arg.startswith("--") and "=" in arg:
        name, value = arg.split("=", 1)
        return name + "=", value
    if arg.startswith("-") and not arg.startswith("--") and len(arg) > 2:
        return arg[:2], arg[2:]
    return "", arg


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip(os.sep) + os.sep)


def _stem_of(path: str, stem: str) -> bool:
    """True if ``path`` is ``stem`` plus an extension (``figs/a`` -> ``figs/a.png``)."""
    return (os.path.dirname(path) == os.path.dirname(stem)
            and os.path.basename(path).startswith(os.path.basename(stem) + ".")
            and "." not in os.path.basename(path)[len(os.path.basename(stem)) + 1:])


def _output_args(argv: Sequence[str], outputs: Sequence[str], cwd: str,
                 indices: Iterable[int] | None) -> list[dict]:
    """Locate the argv entries that name outputs: the files, or directories holding them.

    A directory entry is kept only if it holds an output that no file entry names.
    """
    targets = [_real(o, cwd) for o in outputs]
    files: list[dict] = []
    dirs: list[dict] = []
    for i in (range(len(argv)) if indices is None else list(indices)):
        if not 0 <= i < len(argv):
            raise ValueError(f"output_args index {i} is outside argv (length {len(argv)})")
        prefix, value = _split_option(str(argv[i]))
        real = _real(value, cwd) if value else None
        if real in targets:
            files.append({"index": i, "prefix": prefix, "path": value, "kind": "file"})
        elif real and os.path.isdir(real) and any(_inside(t, real) for t in targets):
            dirs.append({"index": i, "prefix": prefix, "path": value, "kind": "dir"})
        elif indices is not None and real and any(_stem_of(t, real) for t in targets):
            # A path stem: the command writes <stem>.png, <stem>.csv, ... (``batna plot --output``).
            # Only when named explicitly: a scenario argument ``x`` next to an output ``x.json``
            # must not be mistaken for a stem.
            files.append({"index": i, "prefix": prefix, "path": value, "kind": "stem"})
        elif indices is not None:
            raise ValueError(f"argv[{i}] = {argv[i]!r} names no output file or directory of outputs")
    named = {_real(f["path"], cwd) for f in files if f["kind"] == "file"}
    for f in files:
        if f["kind"] == "stem":
            stem = _real(f["path"], cwd)
            f["siblings"] = sorted(os.path.basename(t) for t in targets if _stem_of(t, stem))
            named |= {t for t in targets if _stem_of(t, stem)}
    loose = [t for t in targets if t not in named]
    # Outputs written beside a named output file (e.g. ``analyse --plot`` writes
    # <stem>-frontier.png next to --output) follow it when it is redirected.
    for f in files:
        if f["kind"] == "stem":
            continue
        parent = os.path.dirname(_real(f["path"], cwd))
        sib = sorted(os.path.basename(t) for t in loose if os.path.dirname(t) == parent)
        if sib:
            f["siblings"] = sib
            named |= {os.path.join(parent, b) for b in sib}
    loose = [t for t in targets if t not in named]
    dirs = [d for d in dirs if any(_inside(t, _real(d["path"], cwd)) for t in loose)]
    missing = [o for o, t in zip(outputs, targets)
               if t not in named and not any(_inside(t, _real(d["path"], cwd)) for d in dirs)]
    if missing:
        raise ValueError(f"output(s) {missing} are not named on the command line {list(argv)}; "
                         "`batna reproduce` could not redirect them (pass output_args)")
    return sorted(files + dirs, key=lambda e: e["index"])


def _scenario_record(scenario, cwd: str) -> dict:
    files = []
    for label in scenario.files:
        resolved = _real(label, cwd)
        files.append({"path": str(label), "resolved": resolved,
                      "sha256": canonical_toml_sha256(resolved) if os.path.isfile(resolved) else None})
    return {
        "name": scenario.name,
        "path": scenario.path,
        "files": files,
        "values": dict(scenario.values),
        "overrides": dict(scenario.overrides),
        "sources": dict(scenario.sources),
        "digest": scenario.digest(),
    }


def _seed_record(seed) -> dict | None:
    if seed is None:
        return None
    entropy = getattr(seed, "entropy", seed)  # numpy.random.SeedSequence or an int
    spawn_key = list(getattr(seed, "spawn_key", ()))
    if isinstance(entropy, (list, tuple)):
        entropy = [int(e) for e in entropy]
    else:
        entropy = int(entropy)
    return {"entropy": entropy, "spawn_key": [int(k) for k in spawn_key]}


def embedded_record(scenarios, seed=None, extra: Mapping | None = None) -> dict:
    """The machine-independent part of a manifest, for embedding in an output.

    Outputs must be byte-identical on any machine and wherever they are
    written, so this record leaves out everything :func:`build_manifest`
    records that depends on the machine or the output's location: the
    timestamp, Python and library versions, the platform, the working
    directory, file paths, the command line (it names the output) and the
    outputs' hashes.  What remains determines the numbers:

    ``batna_version``
        :data:`batna.__version__`.
    ``scenarios``
        Per scenario: ``name`` (as given), ``digest``
        (:meth:`batna.Scenario.digest`), ``values`` (every resolved
        parameter) and ``overrides`` (the ``--set`` values).
    ``seed``
        As in the manifest: ``None`` or ``{"entropy": ..., "spawn_key": [...]}``.
    ``extra``
        Command-specific details (e.g. a heatmap's axes), only if given.

    The matching run manifest (``<output>.manifest.json``) holds the full record.
    """
    if hasattr(scenarios, "values") and hasattr(scenarios, "files"):
        scenarios = [scenarios]
    rec = {
        "batna_version": __version__,
        "scenarios": [{"name": sc.name, "digest": sc.digest(), "values": dict(sorted(sc.values.items())),
                       "overrides": dict(sorted(sc.overrides.items()))} for sc in scenarios],
        "seed": _seed_record(seed),
    }
    if extra:
        rec["extra"] = _jsonable(dict(extra))
    return rec


def _jsonable(obj):
    """numpy scalars/arrays, paths and tuples to plain JSON types (for ``extra``)."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _jsonable(obj.tolist())
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"extra: cannot record {type(obj).__name__} in a manifest")


def build_manifest(outputs, argv: Sequence[str] | None, scenarios, seed=None, extra: Mapping | None = None,
                   output_args: Iterable[int] | None = None, cwd=None) -> dict:
    """The manifest of a finished run, as a dict (see the module docstring for the fields).

    Parameters
    ----------
    outputs : sequence of path-like
        Every file the command wrote, already complete on disk.
    argv : sequence of str or None
        The command line without the program name (``args.argv``); None means
        ``sys.argv[1:]`` (wrong for in-process calls of ``batna.cli.main``).
    scenarios : sequence of Scenario
        Every scenario the run read (a single Scenario is accepted too).
    seed : int, numpy.random.SeedSequence or None
        Seed entropy of a random run.
    extra : mapping, optional
        Command-specific, JSON-serialisable details (numpy types are converted).
    output_args : iterable of int, optional
        Indices of argv entries that name outputs; found automatically if None.
    cwd : path-like, optional
        Directory relative paths are taken from (default: the current one).
    """
    argv = [str(a) for a in (sys.argv[1:] if argv is None else argv)]
    cwd = os.path.abspath(os.fspath(cwd) if cwd is not None else os.getcwd())
    outputs = [os.fspath(o) for o in outputs]
    if not outputs:
        raise ValueError("a manifest needs at least one output file")
    if hasattr(scenarios, "values") and hasattr(scenarios, "files"):
        scenarios = [scenarios]
    out_records = []
    for o in outputs:
        resolved = _real(o, cwd)
        rec = {"path": o, "resolved": resolved, "sha256": sha256_path(resolved), "bytes": path_bytes(resolved)}
        if os.path.isdir(resolved):  # e.g. a Zarr store: hashed as a tree (sha256_path)
            rec["kind"] = "dir"
            rec["files"] = len(_tree_files(Path(resolved)))
        out_records.append(rec)
    return {
        "format": MANIFEST_FORMAT,
        "manifest_version": MANIFEST_VERSION,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "software": software_versions(),
        "platform": platform_info(),
        "command": {"argv": argv, "cwd": cwd, "output_args": _output_args(argv, outputs, cwd, output_args)},
        "scenarios": [_scenario_record(s, cwd) for s in scenarios],
        "seed": _seed_record(seed),
        "outputs": out_records,
        "extra": _jsonable(dict(extra)) if extra else {},
    }


def write_manifest(outputs, argv: Sequence[str] | None, scenarios, seed=None, extra: Mapping | None = None,
                   output_args: Iterable[int] | None = None, path=None) -> Path:
    """Build the manifest of a finished run and write it atomically; return its path.

    Call once, after every output is on disk.  Parameters are those of
    :func:`build_manifest`; ``path`` defaults to ``<first output>.manifest.json``.
    The file is sorted-key, indented JSON ending in a newline.
    """
    outputs = [os.fspath(o) for o in outputs]
    m = build_manifest(outputs, argv, scenarios, seed=seed, extra=extra, output_args=output_args)
    target = Path(path) if path is not None else manifest_path(outputs[0])
    atomic_write_text(target, json.dumps(m, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    return target


def read_manifest(path) -> dict:
    """Read and check a manifest file; raise ScenarioError naming the file if it is not one."""
    path = Path(path)
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such manifest file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: not a JSON file: {exc}") from None
    if not isinstance(m, dict) or m.get("format") != MANIFEST_FORMAT:
        raise ScenarioError(f"{path}: not a batna run manifest (no \"format\": \"{MANIFEST_FORMAT}\")")
    if m.get("manifest_version") != MANIFEST_VERSION:
        raise ScenarioError(f"{path}: manifest_version = {m.get('manifest_version')!r}; "
                            f"this batna reads version {MANIFEST_VERSION}")
    missing = [k for k in ("software", "command", "scenarios", "outputs") if k not in m]
    if missing:
        raise ScenarioError(f"{path}: manifest lacks the field(s) {', '.join(missing)}")
    return m


# --------------------------------------------------------------------------- comparing


def without_volatile(manifest: Mapping) -> dict:
    """The manifest minus :data:`VOLATILE_FIELDS` (what two identical runs share)."""
    return {k: v for k, v in manifest.items() if k not in VOLATILE_FIELDS}


@dataclass(frozen=True)
class Difference:
    """One difference between two JSON documents.

    Attributes
    ----------
    path : str
        JSON path, e.g. ``batna.government`` or ``thresholds[2].value``
        (empty for the document itself).
    a, b : object
        The values in the first and second document (``MISSING`` if absent).
    abs_diff : float or None
        ``|a - b|`` when both are numbers, else None.
    """

    path: str
    a: object
    b: object
    abs_diff: float | None = None

    def describe(self, a_label: str = "recorded", b_label: str = "now") -> str:
        where = self.path or "(document)"
        text = f"{where}: {a_label} {_show(self.a)}, {b_label} {_show(self.b)}"
        if self.abs_diff is not None:
            text += f" (absolute difference {self.abs_diff:.6g})"
        return text


MISSING = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


def _show(v) -> str:
    if v is MISSING:
        return "<missing>"
    if isinstance(v, float):
        return f"{v:.12g}"
    text = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def json_differences(a, b, path: str = "") -> list[Difference]:
    """Every leaf where two JSON documents differ, in document order.

    Numbers compare by value (``1`` equals ``1.0``) and carry their absolute
    difference; NaN equals NaN.  A key present on one side only, or a list
    length mismatch, is reported as a difference with ``MISSING`` on the
    other side.
    """
    if _is_number(a) and _is_number(b):
        fa, fb = float(a), float(b)
        if fa == fb or (math.isnan(fa) and math.isnan(fb)):
            return []
        return [Difference(path, a, b, abs(fa - fb))]
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(Difference(sub, a[k], MISSING))
            elif k not in a:
                out.append(Difference(sub, MISSING, b[k]))
            else:
                out.extend(json_differences(a[k], b[k], sub))
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = []
        for i in range(max(len(a), len(b))):
            sub = f"{path}[{i}]"
            if i >= len(b):
                out.append(Difference(sub, a[i], MISSING))
            elif i >= len(a):
                out.append(Difference(sub, MISSING, b[i]))
            else:
                out.extend(json_differences(a[i], b[i], sub))
        return out
    return [] if a == b and type(a) is type(b) else [Difference(path, a, b)]


def compare_manifests(a: Mapping, b: Mapping) -> list[Difference]:
    """Differences between two manifests, ignoring :data:`VOLATILE_FIELDS`."""
    return json_differences(without_volatile(a), without_volatile(b))
