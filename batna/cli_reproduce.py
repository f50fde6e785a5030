"""``batna reproduce MANIFEST``: re-run a recorded command and check its outputs.

Steps (see ``docs/reproducibility.md``):

1. Read the run manifest (:mod:`batna.provenance`).  Every recorded input
   file must still exist (else exit 2).  A scenario file whose canonical hash
   changed is reported as ``input changed: FILE`` with each resolved
   parameter that differs (recorded versus now).
2. Re-run the recorded argv in-process (:func:`batna.cli.main`), in the
   recorded working directory, with every output path redirected into a
   temporary directory.
3. Compare the SHA-256 of every output with the recorded one, and with the
   file still on disk.  For JSON outputs, list the differing quantities (JSON
   paths) and the largest absolute difference; for a directory output (a
   Zarr store, hashed as a tree by :func:`batna.provenance.sha256_path`),
   the files that differ; for other formats, the sizes and hashes.  Report software versions that differ from the recorded ones.

Exit status: 0 identical; 1 outputs differ (inputs unchanged: the software or
the model is at fault, or an output/manifest was edited); 2 unusable manifest,
missing input files or missing working directory; 3 inputs changed since the
run (the differences are due to the inputs, not the model).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shlex
import tempfile
from pathlib import Path

from . import provenance as prov
from .errors import ScenarioError
from .scenario import load_scenario

NAME = "reproduce"
EXIT_IDENTICAL, EXIT_DIFFERENT, EXIT_USAGE, EXIT_INPUTS_CHANGED = 0, 1, 2, 3

EXAMPLES = """examples:
  batna analyse 2019-barbados --format json --output barbados.json   # also writes barbados.json.manifest.json
  batna reproduce barbados.json.manifest.json

exit status: 0 identical, 1 outputs differ, 2 bad manifest or missing inputs,
3 inputs changed since the run
"""


def add_parser(subparsers, common):
    p = subparsers.add_parser(
        NAME, help="re-run a recorded command and check its outputs are identical", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Re-run the command recorded in a run manifest (<output>.manifest.json) with its "
        "outputs in a temporary directory, and compare every output with the recorded hashes: say "
        "'reproduced: identical' or which file and which quantity differ, which inputs and which "
        "software versions changed.")
    p.add_argument("manifest", help="run manifest written next to an output (<output>.manifest.json)")
    p.add_argument("--max-differences", type=int, default=10, metavar="N",
                   help="differing quantities listed per output (default: 10)")


# --------------------------------------------------------------------------- inputs


def _check_inputs(m: dict, manifest: str, say) -> bool:
    """Raise ScenarioError on missing inputs; report changed ones; return True if any changed."""
    missing = [f["resolved"] for sc in m["scenarios"] for f in sc["files"] if not os.path.isfile(f["resolved"])]
    if missing:
        raise ScenarioError(f"{manifest}: recorded input file(s) missing: {', '.join(missing)}; "
                            "restore them (or re-run the command by hand) to reproduce this run")
    changed_any = False
    for sc in m["scenarios"]:
        changed = []
        for f in sc["files"]:
            try:
                now = prov.canonical_toml_sha256(f["resolved"])
            except ScenarioError:
                now = None
            if now != f["sha256"]:
                changed.append(f)
        if not changed:
            continue
        changed_any = True
        for f in changed:
            say(f"input changed: {f['path']}")
        if not sc["files"]:
            continue
        try:
            now_sc = load_scenario(sc["files"][0]["resolved"], sc.get("overrides") or {})
        except ScenarioError as exc:
            say(f"  scenario {sc['name']} no longer loads: {exc}")
            continue
        recorded = sc.get("values", {})
        diffs = [k for k in sorted(set(recorded) | set(now_sc.values))
                 if recorded.get(k) != now_sc.values.get(k)]
        for k in diffs:
            say(f"  parameter {k}: recorded {_num(recorded.get(k))}, now {_num(now_sc.values.get(k))}")
        if not diffs:
            say("  resolved parameters unchanged (the edit is in meta, sources or uncertainty)")
    if changed_any:
        say("  => any output difference below is due to the changed inputs, not to the model")
    return changed_any


def _num(v) -> str:
    return "<absent>" if v is None else f"{v:.12g}" if isinstance(v, float) else str(v)


# --------------------------------------------------------------------------- re-running


def _redirect(command: dict, tmp: Path) -> tuple[list[str], dict[str, Path]]:
    """The recorded argv with output paths moved into ``tmp``; map recorded resolved output -> new path."""
    argv = list(command["argv"])
    cwd = command["cwd"]
    files: dict[str, Path] = {}
    dirs: list[tuple[str, Path]] = []
    for k, entry in enumerate(command.get("output_args", [])):
        slot = tmp / f"out{k}"
        slot.mkdir(parents=True, exist_ok=True)
        real = os.path.realpath(os.path.join(cwd, entry["path"]))
        if entry["kind"] == "dir":
            new = slot
            dirs.append((real.rstrip(os.sep) + os.sep, new))
        else:
            new = slot / (Path(entry["path"]).name or "output")
            files[real] = new
            for name in entry.get("siblings", ()):
                files[os.path.join(os.path.dirname(real), name)] = slot / name
        argv[entry["index"]] = entry.get("prefix", "") + str(new)
    return argv, {"files": files, "dirs": dirs}


def _new_location(resolved: str, where: dict) -> Path | None:
    if resolved in where["files"]:
        return where["files"][resolved]
    for prefix, new in where["dirs"]:
        if resolved.startswith(prefix):
            return new / os.path.relpath(resolved, prefix)
    return None


def _rerun(argv: list[str], cwd: str) -> tuple[int, str]:
    from . import cli

    err = io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:  # argparse rejected the recorded command line
            rc = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # a crash of the recorded command is a finding, not our crash
            print(f"crashed: {type(exc).__name__}: {exc}", file=err)
            rc = 1
    return rc, err.getvalue()


# --------------------------------------------------------------------------- outputs


def _short(h: str | None) -> str:
    return "none" if h is None else h[:12]


def _content_diff(ref: Path, new: Path, ref_label: str, new_label: str, limit: int) -> list[str]:
    if ref.is_dir() or new.is_dir():  # a directory store (Zarr): name the files that differ
        files = prov.tree_differences(ref, new)
        more = f", ... and {len(files) - limit} more" if len(files) > limit else ""
        return [f"  {len(files)} file(s) in the directory differ: {', '.join(files[:limit])}{more}"]
    try:
        a = json.loads(ref.read_text(encoding="utf-8"))
        b = json.loads(new.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError):
        return [f"  not JSON: {ref_label} {ref.stat().st_size} bytes, {new_label} {new.stat().st_size} bytes"]
    diffs = prov.json_differences(a, b)
    if not diffs:
        return ["  same JSON content, different bytes (formatting or key order)"]
    lines = [f"  {d.describe(ref_label, new_label)}" for d in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"  ... and {len(diffs) - limit} more")
    nums = [d for d in diffs if d.abs_diff is not None]
    if nums:
        worst = max(nums, key=lambda d: d.abs_diff)
        lines.append(f"  largest absolute difference: {worst.abs_diff:.6g} at {worst.path} "
                     f"({len(diffs)} quantit{'y differs' if len(diffs) == 1 else 'ies differ'})")
    else:
        lines.append(f"  no numeric differences ({len(diffs)} non-numeric)")
    return lines


def _check_output(rec: dict, new: Path | None, limit: int) -> list[str]:
    """Lines describing how one output differs (empty if it is identical)."""
    name = rec["path"]
    is_dir = rec.get("kind") == "dir"
    if new is None or not (new.is_dir() if is_dir else new.is_file()):
        return [f"output differs: {name}: the re-run did not write it"]
    recorded, reproduced = rec["sha256"], prov.sha256_path(new)
    disk_path = Path(rec["resolved"])
    present = disk_path.is_dir() if is_dir else disk_path.is_file()
    on_disk = prov.sha256_path(disk_path) if present else None
    size = prov.path_bytes(new)
    if reproduced == recorded:
        if on_disk in (None, recorded):
            return []
        return ([f"output differs: {name}: the file on disk was modified after the run "
                 f"(sha256 {_short(on_disk)}, recorded and reproduced {_short(recorded)})"]
                + _content_diff(disk_path, new, "on disk", "reproduced", limit))
    head = (f"output differs: {name}: sha256 recorded {_short(recorded)} ({rec.get('bytes', '?')} bytes), "
            f"reproduced {_short(reproduced)} ({size} bytes)")
    if on_disk == recorded:
        return [head] + _content_diff(disk_path, new, "recorded", "reproduced", limit)
    if on_disk is None:
        return [head, "  the original file is gone, so only hashes and sizes can be compared"]
    if on_disk == reproduced:
        return [head, "  the file on disk equals the reproduction but not the manifest's hash: "
                "the manifest was edited, or the file was rewritten after the manifest"]
    return ([head, f"  the file on disk (sha256 {_short(on_disk)}) matches neither; "
             "it differs from the reproduction in:"]
            + _content_diff(disk_path, new, "on disk", "reproduced", limit))


def _software_lines(m: dict) -> list[str]:
    then, now = m.get("software", {}), prov.software_versions()
    lines = [f"software differs: {k}: recorded {then.get(k, 'not installed')}, now {now.get(k, 'not installed')}"
             for k in list(then) + [k for k in now if k not in then] if then.get(k) != now.get(k)]
    p_then, p_now = m.get("platform", {}).get("platform"), prov.platform_info()["platform"]
    if p_then != p_now:
        lines.append(f"platform differs: recorded {p_then}, now {p_now}")
    return lines


# --------------------------------------------------------------------------- command


def reproduce(manifest, say=print, max_differences: int = 10) -> int:
    """Re-run the run recorded in ``manifest``; print findings through ``say``; return the exit status."""
    m = prov.read_manifest(manifest)
    cwd = m["command"]["cwd"]
    if not os.path.isdir(cwd):
        raise ScenarioError(f"{manifest}: the recorded working directory {cwd} no longer exists; "
                            "the command's relative paths cannot be resolved")
    inputs_changed = _check_inputs(m, str(manifest), say)
    with tempfile.TemporaryDirectory(prefix="batna-reproduce-") as tmp:
        argv, where = _redirect(m["command"], Path(tmp))
        in_dir = "" if os.path.realpath(cwd) == os.path.realpath(os.getcwd()) else f"  (in {cwd})"
        say("re-running: batna " + shlex.join(m["command"]["argv"]) + in_dir)
        rc, err = _rerun(argv, cwd)
        if rc != 0:
            say(f"the re-run failed with exit status {rc}:")
            for line in err.strip().splitlines():
                say(f"  {line}")
            say("not reproduced: the recorded command no longer runs")
            return EXIT_INPUTS_CHANGED if inputs_changed else EXIT_DIFFERENT
        differing = 0
        for rec in m["outputs"]:
            lines = _check_output(rec, _new_location(rec["resolved"], where), max_differences)
            differing += bool(lines)
            for line in lines:
                say(line)
    software = _software_lines(m)
    for line in software:
        say(line)
    n = len(m["outputs"])
    if inputs_changed:
        say(f"not reproduced: the inputs changed since the run ({differing} of {n} output(s) differ); "
            "the difference is due to the changed inputs, not to the model")
        return EXIT_INPUTS_CHANGED
    if differing:
        why = "; software versions differ (see above)" if software else ""
        say(f"not reproduced: {differing} of {n} output(s) differ{why}")
        return EXIT_DIFFERENT
    say("reproduced: identical")
    return EXIT_IDENTICAL


def run(args) -> int:
    if args.max_differences < 1:
        raise ScenarioError(f"--max-differences = {args.max_differences}: must be at least 1")
    return reproduce(args.manifest, max_differences=args.max_differences)
