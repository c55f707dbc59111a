"""portsim.run: the command line's JSON, its tables as DataFrames, --set."""

import threading

import pandas as pd
import pytest

import portsim
from conftest import comparable

EXAMPLE = "scenarios/example.toml"


def test_run_json_is_the_command_lines(cli):
    ours = portsim.run(EXAMPLE, replications=3, seed=7)
    theirs = cli("run", EXAMPLE, "--replications", "3", "--seed", "7", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)
    assert ours.data["manifest"]["seed"] == 7
    assert ours.data["replications"] == 3


def test_run_accepts_a_path_like(cli):
    from pathlib import Path

    assert comparable(portsim.run(Path(EXAMPLE), replications=2).json) == comparable(
        portsim.run(EXAMPLE, replications=2).json
    )


def test_set_is_the_command_lines_set(cli):
    sets = {"stages.document-check.lanes": 3, "demand.rate": "400/d"}
    ours = portsim.run(EXAMPLE, replications=2, seed=3, set=sets)
    theirs = cli(
        "run", EXAMPLE, "-r", "2", "--seed", "3",
        "--set", "stages.document-check.lanes=3", "--set", "demand.rate=400/d",
        "--format", "json", "-q",
    )
    assert comparable(ours.json) == comparable(theirs.stdout)
    base = portsim.run(EXAMPLE, replications=2, seed=3)
    assert ours.data["metrics"] != base.data["metrics"]


def test_toml_text_runs_as_its_file():
    with open(EXAMPLE, encoding="utf-8") as f:
        text = f.read()
    from_text = comparable(portsim.run(toml=text, replications=2).json)
    from_file = comparable(portsim.run(EXAMPLE, replications=2).json)
    assert from_text["scenario"].pop("file") == "<toml>"
    from_file["scenario"].pop("file")
    assert from_text == from_file


def test_tables_have_the_runs_shape():
    r = portsim.run(EXAMPLE, replications=4, seed=1)
    tables = r.to_pandas()
    assert list(tables) == ["replications", "stages", "daily", "hourly", "flow"]
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    # one row per replication, numbered from 0
    assert list(tables["replications"]["replication"]) == [0, 1, 2, 3]
    # one row per stage, in the scenario's order
    assert list(tables["stages"]["stage"]) == [s["name"] for s in r.data["stages"]]
    # one row per simulated day (the example runs 7 days), and per hour
    assert len(tables["daily"]) == len(r.data["daily_departures"]) == 7
    assert list(tables["hourly"]["hour_of_day"]) == list(range(24))
    assert (tables["daily"]["complete"]).all()


def test_table_means_are_the_jsons():
    r = portsim.run(EXAMPLE, replications=4, seed=1)
    reps = r.to_pandas("replications")
    assert reps["throughput_per_day"].mean() == pytest.approx(r.data["metrics"]["throughput_per_day"]["mean"])


def test_flow_balance_adds_up():
    # docs/metrics.md: every truck in the system leaves it one way, or is
    # still in it at the end (the means of the terms add up too)
    r = portsim.run(EXAMPLE, replications=3, seed=2)
    f = r.to_pandas("flow").set_index("term")["mean"]
    assert bool(f["balanced"])
    start = f["in_system_start.port"] + f["in_system_start.booked"] + f["in_system_start.equeue"]
    end = f["in_system_end.port"] + f["in_system_end.booked"] + f["in_system_end.equeue"]
    left = f["cleared"] + f["turned_away"] + f["diverted"] + f["reneged"] + f["no_shows"]
    assert start + f["offered"] == pytest.approx(left + end, rel=1e-12)
    assert f["no_shows"] > 0  # the example books trucks: the terms are live


def test_unknown_table_is_named():
    r = portsim.run(EXAMPLE, replications=2)
    with pytest.raises(KeyError, match="stages"):
        r.to_pandas("stage")


def test_a_long_run_releases_the_gil():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        portsim.run("scenarios/horgos-before.toml", replications=8)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 1
