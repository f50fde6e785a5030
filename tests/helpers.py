"""Helpers shared by the tests: where the repository is, and how to run batna's command line."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

#: The repository (tests may run against an installed, non-editable batna).
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios" / "venezuela"


def batna_command() -> list[str]:
    """The real console script of the Python running the tests (``python -m batna`` as a fallback)."""
    exe = shutil.which("batna", path=os.path.dirname(sys.executable)) or shutil.which("batna")
    return [exe] if exe else [sys.executable, "-m", "batna"]


def batna_cli(*args, cwd=None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``batna ARGS`` through the console script in a subprocess."""
    return subprocess.run([*batna_command(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def batna_main(*args, cwd) -> subprocess.CompletedProcess:
    """In-process ``batna.cli.main`` with the same result type as :func:`batna_cli` (saves start-up time)."""
    from batna import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
