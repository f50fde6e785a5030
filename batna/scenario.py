"""Scenario files: reading, inheritance, overrides and validation.

A scenario is a TOML file (read with the standard library's :mod:`tomllib`)::

    extends = "2019-barbados"          # optional: a bundled name or a path

    [meta]
    title = "..."
    description = "..."                # one line, shown by ``batna scenarios``
    date = "2019-07"
    sources = ["smilde-ramsey"]

    [russia]
    finance = 3.0                      # USD bn/yr

    [sources]
    "russia.finance" = "smilde-ramsey" # or "assumption"

Every problem is collected and raised together as one
:class:`~batna.errors.ScenarioError` whose message names the file, the key,
the value and the allowed range.  Nothing is clamped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

from . import parameters as _params
from . import sources as _sources
from .errors import ScenarioError

__all__ = [
    "Scenario",
    "load_scenario",
    "validate_file",
    "parse_override",
    "bundled_scenarios",
    "resolve_name",
    "DEFAULT_SCENARIO",
    "display_path",
]

#: The scenario ``batna analyse`` runs when given none.
DEFAULT_SCENARIO = "venezuela/2019-secondary-sanctions"

META_KEYS = ("title", "description", "date", "sources", "notes", "round")
TOP_KEYS = ("extends", "meta", "sources", "uncertainty") + _params.ACTORS
COMMAND_LINE = "<command line>"


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every parameter's value, where it came from, and why.

    Attributes
    ----------
    name : str
        Bundled name (``venezuela/2019-barbados``) or the file's stem.
    path : str or None
        File the scenario was read from (None for an in-memory scenario).
    meta : dict
        The ``[meta]`` table, merged along the ``extends`` chain.
    values : dict of str to float
        Every parameter, keyed ``actor.name`` (defaults filled in).
    sources : dict of str to str
        Source key (or ``assumption``) of each value set by a file or override;
        ``default`` for values left at their default.
    overrides : dict of str to float
        Values given on the command line (``--set``), already in ``values``.
    files : tuple of str
        Files read, the scenario's own first, then its ancestors.
    uncertainty : dict
        The raw ``[uncertainty]`` table, if any (used by Monte Carlo tools).
    """

    name: str
    path: str | None
    meta: dict
    values: dict
    sources: dict
    overrides: dict = field(default_factory=dict)
    files: tuple = ()
    uncertainty: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.name))

    @property
    def description(self) -> str:
        return str(self.meta.get("description", ""))

    def with_values(self, **changes: float) -> "Scenario":
        """A copy with some values replaced (keys as ``actor__name`` or via dict unpacking)."""
        new = dict(self.values)
        for k, v in changes.items():
            new[k.replace("__", ".")] = float(v)
        return Scenario(self.name, self.path, self.meta, new, self.sources, self.overrides,
                        self.files, self.uncertainty)

    def digest(self) -> str:
        """SHA-256 of a canonical serialisation of the resolved values and overrides.

        Independent of whitespace, comments, key order and the ``extends``
        layout: two scenarios with the same resolved parameters have the same
        digest.
        """
        canon = json.dumps({"values": self.values, "overrides": self.overrides},
                           sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(canon.encode()).hexdigest()

    def to_dict(self) -> dict:
        """JSON-ready summary; bundled files appear as ``bundled:<relative path>`` so that
        the output does not depend on where the package is installed."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "path": None if self.path is None else display_path(self.path),
            "files": [display_path(f) for f in self.files],
            "meta": self.meta,
            "overrides": self.overrides,
            "digest": self.digest(),
        }


# --------------------------------------------------------------------------- files


def _bundled_root():
    """The bundled scenarios: package data when installed, else the source tree's ``scenarios/``."""
    try:
        return resources.files("batna.scenarios")
    except ModuleNotFoundError:  # running from a source checkout without installing
        return Path(__file__).resolve().parent.parent / "scenarios"


def display_path(path: str) -> str:
    """``bundled:venezuela/x.toml`` for a bundled file, else the path as given."""
    try:
        rel = Path(path).resolve().relative_to(Path(str(_bundled_root())).resolve())
    except (ValueError, OSError):
        return str(path)
    return f"bundled:{rel.as_posix()}"


def bundled_scenarios() -> dict[str, str]:
    """Bundled scenario names mapped to their one-line descriptions, sorted by name."""
    out: dict[str, str] = {}
    root = _bundled_root()
    for path in sorted(_walk(root), key=lambda p: p[0]):
        name, ref = path
        try:
            meta = tomllib.loads(ref.read_text(encoding="utf-8")).get("meta", {})
        except tomllib.TOMLDecodeError:
            meta = {}
        out[name] = str(meta.get("description", ""))
    return out


def _walk(root, prefix=""):
    for child in root.iterdir():
        if child.is_dir() and not child.name.startswith(("_", ".")):
            yield from _walk(child, f"{prefix}{child.name}/")
        elif child.name.endswith(".toml") and not child.name.startswith("_"):
            yield f"{prefix}{child.name[:-5]}", child


def resolve_name(name: str, relative_to: Path | None = None):
    """Find a scenario file: a path (relative to ``relative_to`` if given), then a bundled name.

    Returns ``(display_name, path_or_resource)``; raises ScenarioError if nothing matches.
    """
    if name.startswith("bundled:"):
        name = name[len("bundled:"):]
    candidates = []
    p = Path(name)
    if relative_to is not None and not p.is_absolute():
        candidates.append(relative_to / p)
    candidates.append(p)
    for c in candidates:
        if c.is_file():
            return c.stem, c
    bundled = dict(_walk(_bundled_root()))
    key = name[:-5] if name.endswith(".toml") else name
    if key in bundled:
        return key, bundled[key]
    short = [n for n in bundled if n.rsplit("/", 1)[-1] == key]
    if len(short) == 1:
        return short[0], bundled[short[0]]
    hint = _params.closest(key, list(bundled) + [n.rsplit("/", 1)[-1] for n in bundled])
    msg = f"{name}: no such file, and no bundled scenario of that name"
    if hint:
        msg += f" (did you mean {hint!r}?)"
    msg += "; `batna scenarios` lists the bundled ones"
    raise ScenarioError(msg)


def _read(ref, label: str) -> dict:
    try:
        text = ref.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{label}: cannot read file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{label}: not a UTF-8 text file") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: malformed TOML: {exc}") from None


# --------------------------------------------------------------------------- validation


def _check_table(data: Mapping, label: str, errors: list[str]) -> tuple[dict, dict, dict, dict]:
    """Validate one file's contents; return (values, sources, meta, uncertainty)."""
    values: dict[str, float] = {}
    srcs: dict[str, str] = {}
    meta: dict = {}
    for top, body in data.items():
        if top not in TOP_KEYS:
            hint = _params.closest(top, TOP_KEYS)
            errors.append(f"{label}: unknown table or key {top!r}"
                          + (f" (did you mean {hint!r}?)" if hint else "")
                          + f"; allowed: {', '.join(TOP_KEYS)}")
            continue
        if top == "extends":
            if not isinstance(body, str):
                errors.append(f"{label}: extends = {body!r} must be a string (a path or bundled name)")
            continue
        if not isinstance(body, dict):
            errors.append(f"{label}: {top} = {body!r} must be a table ([{top}])")
            continue
        if top == "meta":
            for k, v in body.items():
                if k not in META_KEYS:
                    hint = _params.closest(k, META_KEYS)
                    errors.append(f"{label}: unknown key meta.{k}" + (f" (did you mean {hint!r}?)" if hint else "")
                                  + f"; allowed: {', '.join(META_KEYS)}")
                elif k == "sources":
                    if not (isinstance(v, list) and all(isinstance(s, str) for s in v)):
                        errors.append(f"{label}: meta.sources = {v!r} must be a list of source keys")
                    else:
                        for s in v:
                            _check_source(s, f"meta.sources", label, errors)
                elif not isinstance(v, (str, int, float)) or isinstance(v, bool):
                    errors.append(f"{label}: meta.{k} = {v!r} must be a string")
            meta.update({k: v for k, v in body.items() if k in META_KEYS})
        elif top == "sources":
            for k, v in body.items():
                if k not in _params.BY_KEY:
                    hint = _params.closest(k)
                    errors.append(f"{label}: sources.{k}: unknown parameter"
                                  + (f" (did you mean {hint!r}?)" if hint else ""))
                elif not isinstance(v, str):
                    errors.append(f"{label}: sources.{k} = {v!r} must be a source key string")
                elif _check_source(v, f"sources.{k}", label, errors):
                    srcs[k] = v
        elif top == "uncertainty":
            continue  # validated by the Monte Carlo layer that reads it
        else:
            names = [p.name for p in _params.PARAMETERS if p.actor == top]
            for k, v in body.items():
                key = f"{top}.{k}"
                if key not in _params.BY_KEY:
                    hint = _params.closest(k, names)
                    hint_key = f"{top}.{hint}" if hint else _params.closest(key)
                    errors.append(f"{label}: unknown parameter {key}"
                                  + (f" (did you mean {hint_key!r}?)" if hint_key else "")
                                  + f"; [{top}] takes: {', '.join(names)}")
                    continue
                problem = _params.check_value(key, v)
                if problem:
                    errors.append(f"{label}: {problem}")
                else:
                    values[key] = float(v)
    return values, srcs, meta, data.get("uncertainty", {}) if isinstance(data.get("uncertainty"), dict) else {}


def _check_source(s: str, where: str, label: str, errors: list[str]) -> bool:
    if _sources.is_known(s):
        return True
    allowed = [_sources.ASSUMPTION, *_sources.SOURCES]
    hint = _params.closest(s, allowed)
    errors.append(f"{label}: {where} = {s!r} is not a known source"
                  + (f" (did you mean {hint!r}?)" if hint else "")
                  + f"; allowed: {', '.join(allowed)}")
    return False


def parse_override(text: str) -> tuple[str, float]:
    """Parse one ``--set key=value`` override; raise ScenarioError if malformed or invalid."""
    if "=" not in text:
        raise ScenarioError(f"{COMMAND_LINE}: --set {text!r} must look like actor.name=value, "
                            "e.g. --set russia.finance=5")
    key, raw = (t.strip() for t in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    _, errs = _check_overrides({key: value})
    if errs:
        raise ScenarioError(errs[0], errs)
    return key, float(value)


def _check_overrides(overrides: Mapping[str, object]) -> tuple[dict, list[str]]:
    values, errors = {}, []
    for key, v in overrides.items():
        if key not in _params.BY_KEY:
            hint = _params.closest(key)
            errors.append(f"{COMMAND_LINE}: unknown parameter {key!r}"
                          + (f" (did you mean {hint!r}?)" if hint else "")
                          + "; `batna parameters` lists them")
            continue
        problem = _params.check_value(key, v)
        if problem:
            errors.append(f"{COMMAND_LINE}: {problem}")
        else:
            values[key] = float(v)
    return values, errors


# --------------------------------------------------------------------------- loading


def _load_chain(name_or_path, errors: list[str]):
    """Read a file and its ``extends`` ancestors; return the layers, own file first."""
    layers = []
    seen: list[str] = []
    display, ref = resolve_name(str(name_or_path))
    while True:
        label = str(ref)
        ident = str(Path(str(ref)).resolve()) if isinstance(ref, Path) else label
        if ident in seen:
            chain = " -> ".join(seen + [ident])
            raise ScenarioError(f"{label}: extends cycle: {chain}", errors + [f"{label}: extends cycle: {chain}"])
        seen.append(ident)
        data = _read(ref, label)
        layers.append((label, data))
        parent = data.get("extends")
        if not isinstance(parent, str):
            break
        base = Path(str(ref)).parent
        try:
            _, ref = resolve_name(parent, relative_to=base)
        except ScenarioError as exc:
            raise ScenarioError(f"{label}: extends = {parent!r}: {exc}") from None
    return display, layers


def load_scenario(path_or_name=None, overrides: Mapping[str, object] | Iterable[str] | None = None) -> Scenario:
    """Read, merge and validate a scenario.

    Parameters
    ----------
    path_or_name : str or path-like, optional
        A TOML file, or the name of a bundled scenario (``2019-barbados`` or
        ``venezuela/2019-barbados``).  Default: :data:`DEFAULT_SCENARIO`.
    overrides : mapping or iterable of "key=value" strings, optional
        Values that replace the file's (``{"russia.finance": 5}`` or
        ``["russia.finance=5"]``), validated like file values.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem found: unknown keys (with the closest valid
        name), wrong types, NaN/inf or out-of-range values, unknown sources,
        missing files, malformed TOML and ``extends`` cycles.
    """
    errors: list[str] = []
    display, layers = _load_chain(path_or_name if path_or_name is not None else DEFAULT_SCENARIO, errors)
    values, srcs, meta, unc = {}, {}, {}, {}
    for label, data in reversed(layers):  # ancestors first, the file itself last
        v, s, m, u = _check_table(data, label, errors)
        values.update(v)
        srcs.update(s)
        meta.update(m)
        unc.update(u)
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        parsed = {}
        for text in overrides:
            try:
                k, v = parse_override(text)
                parsed[k] = v
            except ScenarioError as exc:
                errors.extend(exc.errors)
        overrides = parsed
    ov, ov_err = _check_overrides(overrides)
    errors.extend(ov_err)
    if errors:
        head = errors[0] if len(errors) == 1 else f"{len(errors)} problems:\n  " + "\n  ".join(errors)
        raise ScenarioError(head, errors)
    full = _params.defaults()
    full.update(values)
    full.update(ov)
    sources = {k: "default" for k in full}
    sources.update({k: srcs.get(k, "unsourced") for k in values})
    sources.update({k: "override" for k in ov})
    first = layers[0][0]
    path = None if first.startswith("<") else first
    return Scenario(name=display, path=path, meta=meta, values=full, sources=sources,
                    overrides=ov, files=tuple(label for label, _ in layers), uncertainty=unc)


def validate_file(path_or_name) -> list[str]:
    """Every problem in a scenario file (and its ancestors), including its
    ``[uncertainty]`` table, or an empty list."""
    try:
        scenario = load_scenario(path_or_name)
        if scenario.uncertainty:
            from .uncertainty import from_scenario  # the layer that reads [uncertainty]

            from_scenario(scenario)
    except ScenarioError as exc:
        return list(exc.errors)
    return []
