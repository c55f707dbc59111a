"""portsim from Python: run, compare, study and calibrate border-port scenarios.

A thin layer over the Rust library. Each function builds the arguments the
``portsim`` command line would take and runs that command in this process
(``portsim._native.invoke``, which calls ``portsim::cli::embed::invoke``):
the same parsing, loading, limits, simulation and JSON as the binary, so a
result's ``.json`` is the command line's ``--format json`` output for the same
inputs (apart from ``manifest.threads`` and ``manifest.wall_time_s``). No
simulation logic lives here.

A long run releases the GIL, and Ctrl-C (``KeyboardInterrupt``) stops it as on
the command line. Mistakes in a scenario raise :class:`ScenarioError` with the
file, line, column and message the command line prints.

See docs/python.md.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _native
from ._errors import Diagnostic, PortsimError, RunawayError, ScenarioError
from ._results import (
    CalibrationResult,
    ComparisonResult,
    ForecastResult,
    Result,
    RunResult,
    StudyResult,
)

__all__ = [
    "run",
    "compare",
    "sweep",
    "plan",
    "sensitivity",
    "calibrate",
    "forecast",
    "schema",
    "Result",
    "RunResult",
    "ComparisonResult",
    "StudyResult",
    "CalibrationResult",
    "ForecastResult",
    "PortsimError",
    "ScenarioError",
    "RunawayError",
    "Diagnostic",
]

__version__ = _native.__version__

PathLike = Union[str, "os.PathLike[str]"]

#: The name a scenario given as ``toml=`` text has in messages.
TOML_TEXT = "<toml>"


def run(
    path: Optional[PathLike] = None,
    *,
    toml: Optional[str] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    horizon: Optional[str] = None,
    warmup: Optional[str] = None,
    threads: Optional[int] = None,
    max_trucks: Optional[int] = None,
) -> RunResult:
    """Runs a scenario (``portsim run PATH --format json``).

    ``path`` is a scenario file (``str`` or path-like); or give the TOML
    text as ``toml=`` (its ``extends`` are then relative to the current
    folder). ``set`` maps ``KEY`` to ``VALUE`` as ``--set KEY=VALUE``.
    """
    with _Workspace() as ws:
        file = ws.scenario(path, toml)
        args = ["run", file, *_run_options(replications, seed, set, horizon, warmup, threads, max_trucks)]
        return RunResult._from(ws.invoke(args))


def compare(
    baseline: Optional[PathLike] = None,
    variant: Optional[PathLike] = None,
    *,
    interventions: Optional[Sequence[PathLike]] = None,
    toml: Optional[str] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    horizon: Optional[str] = None,
    warmup: Optional[str] = None,
    threads: Optional[int] = None,
    max_trucks: Optional[int] = None,
) -> ComparisonResult:
    """Compares a variant with a baseline under common random numbers
    (``portsim compare``), or attributes the effect of ``interventions``
    (patch files, ``--intervention``). ``toml=`` is the baseline's text."""
    if variant is None and not interventions:
        raise TypeError("compare() needs a variant or interventions=[...]")
    if variant is not None and interventions:
        raise TypeError("compare() takes a variant or interventions=[...], not both")
    with _Workspace() as ws:
        args = ["compare", ws.scenario(baseline, toml)]
        if variant is not None:
            args.append(_path(variant))
        for patch in interventions or []:
            args += ["--intervention", _path(patch)]
        args += _run_options(replications, seed, set, horizon, warmup, threads, max_trucks)
        return ComparisonResult._from(ws.invoke(args))


def sweep(study: PathLike, **options: Any) -> StudyResult:
    """Runs a sweep study file (``portsim sweep``)."""
    return _study("sweep", study, options)


def plan(study: PathLike, **options: Any) -> StudyResult:
    """Runs a capacity plan study file (``portsim plan``)."""
    return _study("plan", study, options)


def sensitivity(study: PathLike, **options: Any) -> StudyResult:
    """Runs a sensitivity study file (``portsim sensitivity``)."""
    return _study("sensitivity", study, options)


def calibrate(
    log: PathLike,
    map: Optional[PathLike] = None,
    *,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_trucks: Optional[int] = None,
) -> CalibrationResult:
    """Calibrates a scenario from a truck event log (``portsim calibrate``);
    ``map`` is the ``--map`` file for a log with other column names."""
    with _Workspace() as ws:
        args = ["calibrate", _path(log)]
        if map is not None:
            args += ["--map", _path(map)]
        args += _flag("--replications", replications)
        args += _flag("--seed", seed)
        args += _flag("--threads", threads)
        args += _flag("--max-trucks", max_trucks)
        return CalibrationResult._from(ws.invoke(args))


def forecast(
    scenario: PathLike,
    log: PathLike,
    at: str,
    *,
    map: Optional[PathLike] = None,
    hours: Optional[int] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    backtest: Optional[str] = None,
    every: Optional[str] = None,
    threads: Optional[int] = None,
    max_trucks: Optional[int] = None,
) -> ForecastResult:
    """The next hours from the trucks ``log`` shows in the port at ``at``
    (``portsim forecast``; ``at`` an ISO local date-time such as
    ``"2025-03-06T12:00"``), or with ``backtest="FROM..TO"`` the scores of
    such forecasts against the log (docs/forecast.md)."""
    with _Workspace() as ws:
        args = ["forecast", _path(scenario), "--log", _path(log), "--at", str(at)]
        if map is not None:
            args += ["--map", _path(map)]
        args += _flag("--hours", hours)
        args += _flag("--replications", replications)
        args += _flag("--seed", seed)
        args += _flag("--backtest", backtest)
        args += _flag("--every", every)
        args += _flag("--threads", threads)
        args += _flag("--max-trucks", max_trucks)
        return ForecastResult._from(ws.invoke(args, out=False))


def schema(kind: str = "scenario") -> dict:
    """The JSON Schema of scenario files and intervention patches (or, with
    ``kind="sweep"``, ``"plan"`` or ``"sensitivity"``, of that study file),
    as ``portsim schema --kind KIND`` prints it."""
    import json

    code, out, err = _native.invoke(["schema", "--kind", kind])
    if code != 0:
        raise PortsimError(err.strip(), code=code, stderr=err)
    return json.loads(out)


def _study(command: str, study: PathLike, options: Mapping[str, Any]) -> StudyResult:
    known = {"replications", "seed", "set", "threads", "max_trucks"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"{command}() got unexpected keyword argument(s) {', '.join(unknown)}")
    with _Workspace() as ws:
        args = [command, _path(study)]
        args += _flag("--replications", options.get("replications"))
        args += _flag("--seed", options.get("seed"))
        args += _sets(options.get("set"))
        args += _flag("--threads", options.get("threads"))
        args += _flag("--max-trucks", options.get("max_trucks"))
        return StudyResult._from(ws.invoke(args), command)


def _run_options(replications, seed, sets, horizon, warmup, threads, max_trucks) -> list:
    return [
        *_flag("--replications", replications),
        *_flag("--seed", seed),
        *_sets(sets),
        *_flag("--horizon", horizon),
        *_flag("--warmup", warmup),
        *_flag("--threads", threads),
        *_flag("--max-trucks", max_trucks),
    ]


def _flag(name: str, value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} takes an int or a str, not {type(value).__name__}")
    return [name, str(value)]


def _sets(sets: Optional[Mapping[str, Any]]) -> list:
    args: list = []
    for key, value in (sets or {}).items():
        args += ["--set", f"{key}={_toml_value(value)}"]
    return args


def _toml_value(value: Any) -> str:
    """A Python value as the TOML text ``--set`` reads; a ``str`` is passed
    as written (``"14d"``, ``"1300/d"``, or TOML text such as ``"[1, 2]"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_inner(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_inner(v) for v in value) + "]"
    raise TypeError(f"cannot pass a {type(value).__name__} to --set")


def _toml_inner(value: Any) -> str:
    if isinstance(value, str):
        import json

        return json.dumps(value)
    return _toml_value(value)


def _toml_key(key: str) -> str:
    bare = key and all(c.isalnum() or c in "-_" for c in key) and key.isascii()
    return key if bare else _toml_inner(key)


def _path(value: PathLike) -> str:
    return os.fspath(value)


class _Workspace:
    """A temporary folder for one command: the ``--out`` set it writes (the
    tables) and the scenario given as ``toml=`` text."""

    def __enter__(self) -> "_Workspace":
        self._dir = tempfile.TemporaryDirectory(prefix="portsim-")
        self.root = Path(self._dir.name)
        self.text_file: Optional[str] = None
        return self

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()

    def scenario(self, path: Optional[PathLike], toml: Optional[str]) -> str:
        if (path is None) == (toml is None):
            raise TypeError("give a scenario file (path) or its text (toml=), not both or neither")
        if path is not None:
            return _path(path)
        # In this command's own folder: an `extends` in the text names
        # its base by an absolute path.
        file = self.root / "scenario.toml"
        file.write_text(toml, encoding="utf-8")
        self.text_file = str(file)
        return str(file)

    def invoke(self, args: list, out: bool = True) -> "_Invocation":
        """Runs a command for its JSON; with ``out``, also the ``--out``
        set it writes (the commands without one, such as ``forecast``,
        print everything they give)."""
        out_dir = self.root / "out"
        full = [*args, "--format", "json", "--quiet"]
        if out:
            full += ["--out", str(out_dir)]
        out = out_dir
        code, stdout, stderr = _native.invoke(full)
        if self.text_file is not None:
            stdout = stdout.replace(self.text_file.encode(), TOML_TEXT.encode())
            stderr = stderr.replace(self.text_file, TOML_TEXT)
        files = {}
        if out.is_dir():
            for f in sorted(out.iterdir()):
                if f.is_file() and f.name != "manifest.json" and not f.name.startswith("."):
                    files[f.name] = f.read_bytes()
        inv = _Invocation(args[0], code, stdout.decode("utf-8"), stderr, files)
        inv.raise_for_code()
        return inv


class _Invocation:
    """What one command printed and wrote."""

    def __init__(self, command: str, code: int, stdout: str, stderr: str, files: dict):
        self.command = command
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.files = files

    def raise_for_code(self) -> None:
        if self.code == 0:
            return
        if self.code == 130:
            raise KeyboardInterrupt(self.stderr.strip())
        if self.code == 2:
            raise ScenarioError.from_stderr(self.stderr, code=self.code)
        if self.code == 1 and self.stdout.strip():
            raise RunawayError(self.stderr.strip(), code=self.code, stderr=self.stderr, invocation=self)
        raise PortsimError(self.stderr.strip(), code=self.code, stderr=self.stderr)
