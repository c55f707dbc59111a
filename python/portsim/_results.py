"""Results of portsim commands as Python objects.

A result keeps what the command line gives for the same inputs: ``json``,
the exact text of ``--format json`` (``data`` is it parsed), and ``files``,
the bytes of the ``--out`` set it wrote (CSV tables, a calibrated
scenario). ``to_pandas()`` reads those tables into DataFrames (pandas is
imported only then): what a DataFrame holds is what the CSV file holds,
column for column, so docs/metrics.md defines both.
"""

from __future__ import annotations

import io
import json as _json
from typing import Any, Dict, Optional


class Result:
    """What one command gave: ``json`` (text), ``data`` (parsed),
    ``files`` (the ``--out`` set: name to bytes) and ``stderr`` (its
    warnings)."""

    #: The table names, in order, and the ``--out`` file each is read from.
    TABLES: Dict[str, str] = {}

    def __init__(self, command: str, json: str, files: Dict[str, bytes], stderr: str):
        self.command = command
        self.json = json
        self.files = files
        self.stderr = stderr
        self._data: Optional[Any] = None

    @classmethod
    def _from(cls, invocation, *rest):
        return cls(invocation.command, invocation.stdout, invocation.files, invocation.stderr, *rest)

    @property
    def data(self) -> Any:
        """The JSON document, parsed."""
        if self._data is None:
            self._data = _json.loads(self.json)
        return self._data

    @property
    def tables(self) -> list:
        """The names ``to_pandas`` accepts."""
        return list(self.TABLES)

    def to_pandas(self, table: Optional[str] = None):
        """One table as a DataFrame, or (no ``table``) a dict of every
        table by name."""
        if table is None:
            return {name: self.to_pandas(name) for name in self.TABLES}
        if table not in self.TABLES:
            raise KeyError(f"no table {table!r} in a {self.command} result; tables: {', '.join(self.TABLES)}")
        import pandas as pd

        source = self.TABLES[table]
        if source.endswith(".csv"):
            data = self.files.get(source)
            if data is None:
                raise KeyError(f"{source} was not written by this {self.command}")
            # Text stays text: names and `day 1 (Mon)` are not numbers.
            return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])
        return self._json_table(table, pd)

    def _json_table(self, table: str, pd):
        raise KeyError(table)

    def __repr__(self) -> str:
        return f"<portsim {self.command} result: tables {', '.join(self.TABLES) or 'none'}>"


class RunResult(Result):
    """``portsim.run``: per replication, per stage, per day and hour, and
    the flow balance (each term's mean over the replications)."""

    TABLES = {
        "replications": "replications.csv",
        "stages": "stages.csv",
        "daily": "daily.csv",
        "hourly": "hourly.csv",
        "flow": "results.json#flow",
    }

    def _json_table(self, table: str, pd):
        rows = []

        def walk(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(f"{prefix}.{k}" if prefix else k, v)
            else:
                rows.append({"term": prefix, "mean": value})

        walk("", self.data["flow"])
        return pd.DataFrame(rows, columns=["term", "mean"])


class ComparisonResult(Result):
    """``portsim.compare``: the paired comparison (``comparison``) and, with
    interventions, the attribution of the effect (``attribution``)."""

    TABLES = {"comparison": "comparison.csv", "attribution": "attribution.csv"}

    @property
    def tables(self) -> list:
        return [t for t, f in self.TABLES.items() if f in self.files]

    def to_pandas(self, table: Optional[str] = None):
        if table is None:
            return {name: super(ComparisonResult, self).to_pandas(name) for name in self.tables}
        return super().to_pandas(table)


class StudyResult(Result):
    """``portsim.sweep``, ``plan`` and ``sensitivity``: the study's JSON;
    a sweep also has its ``points`` table (sweep.csv)."""

    def __init__(self, command: str, json: str, files: Dict[str, bytes], stderr: str, kind: str = ""):
        super().__init__(command, json, files, stderr)
        self.TABLES = {"points": "sweep.csv"} if "sweep.csv" in files else {}


class CalibrationResult(Result):
    """``portsim.calibrate``: the calibration (``json``), the calibrated
    scenario's TOML (``scenario_toml``, loadable by ``portsim.run(toml=…)``)
    and the report in words (``text``)."""

    TABLES: Dict[str, str] = {}

    @property
    def scenario_toml(self) -> str:
        return self.files["calibrated.toml"].decode("utf-8")

    @property
    def text(self) -> str:
        return self.files.get("calibration.txt", b"").decode("utf-8")


class ForecastResult(Result):
    """``portsim.forecast``: the next hours (``data["hours"]``, each with
    a mean and a 90% prediction interval), the state it started from
    (``data["state"]``) and the log's counts; ``to_pandas("hours")`` has
    one row an hour and a column per value (``departures.mean``,
    ``departures.p5``, …), ``to_pandas("stages")`` one row per hour and
    stage. A backtest's JSON is in ``data`` as the command gives it."""

    TABLES: Dict[str, str] = {"hours": "json#hours", "stages": "json#stages"}

    def _json_table(self, table: str, pd):
        hours = self.data.get("hours") or []
        if table == "hours":
            rows = []
            for h in hours:
                row = {"start": h.get("start")}
                for key, value in h.items():
                    if isinstance(value, dict):
                        for stat, x in value.items():
                            row[f"{key}.{stat}"] = x
                rows.append(row)
            return pd.DataFrame(rows)
        rows = []
        for h in hours:
            for st in h.get("stages") or []:
                row = {"start": h.get("start"), "stage": st.get("name")}
                for stat, x in (st.get("queued") or {}).items():
                    row[f"queued.{stat}"] = x
                rows.append(row)
        return pd.DataFrame(rows)
