"""portsim.compare, sweep, plan, sensitivity and calibrate: the command
line's JSON and the tables of their --out sets."""

import pytest

import portsim
from conftest import comparable

BEFORE = "scenarios/horgos-before.toml"
AFTER = "scenarios/horgos-after.toml"
PATCHES = ["scenarios/interventions/24h-opening.toml", "scenarios/interventions/appointments.toml"]


def test_compare_json_is_the_command_lines(cli):
    ours = portsim.compare(BEFORE, AFTER, replications=3, seed=5)
    theirs = cli("compare", BEFORE, AFTER, "-r", "3", "--seed", "5", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)
    table = ours.to_pandas("comparison")
    assert len(table) > 0
    assert ours.tables == ["comparison"]


def test_compare_interventions_attribute_the_effect(cli):
    ours = portsim.compare(BEFORE, interventions=PATCHES, replications=2, seed=5)
    args = ["compare", BEFORE]
    for p in PATCHES:
        args += ["--intervention", p]
    theirs = cli(*args, "-r", "2", "--seed", "5", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)
    tables = ours.to_pandas()
    assert set(tables) == {"comparison", "attribution"}
    assert len(tables["attribution"]) > 0


def test_compare_needs_a_variant_or_interventions():
    with pytest.raises(TypeError):
        portsim.compare(BEFORE)
    with pytest.raises(TypeError):
        portsim.compare(BEFORE, AFTER, interventions=PATCHES)


def test_sweep_json_and_points(cli):
    study = "scenarios/studies/sweep-exit-pace.toml"
    ours = portsim.sweep(study, replications=2)
    theirs = cli("sweep", study, "-r", "2", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)
    points = ours.to_pandas("points")
    # 150s..170s by 5s, times 1 or 2 night lanes
    assert len(points) == 5 * 2


def test_plan_json_is_the_command_lines(cli):
    study = "scenarios/studies/plan-example-lanes.toml"
    ours = portsim.plan(study, replications=4)
    theirs = cli("plan", study, "-r", "4", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)


def test_sensitivity_json_is_the_command_lines(cli):
    study = "scenarios/studies/sensitivity-horgos-gain.toml"
    ours = portsim.sensitivity(study, replications=2)
    theirs = cli("sensitivity", study, "-r", "2", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)


def test_study_options_are_checked():
    with pytest.raises(TypeError, match="horizon"):
        portsim.sweep("scenarios/studies/sweep-exit-pace.toml", horizon="1d")


def test_calibrate_json_and_scenario(cli):
    log = "scenarios/logs/example-port.csv"
    ours = portsim.calibrate(log, replications=2)
    theirs = cli("calibrate", log, "-r", "2", "--format", "json", "-q")
    assert comparable(ours.json) == comparable(theirs.stdout)
    # the calibrated scenario runs as any other
    run = portsim.run(toml=ours.scenario_toml, replications=2)
    assert run.data["replications"] == 2
    assert "calibrat" in ours.text.lower()


def test_forecast_json_is_the_command_lines_and_its_hours_a_table(cli):
    args = dict(scenario="scenarios/logs/example-port.toml", log="scenarios/logs/example-port.csv", at="2025-03-05T12:00")
    ours = portsim.forecast(args["scenario"], args["log"], args["at"], hours=6, replications=20, seed=3)
    theirs = cli(
        "forecast", args["scenario"], "--log", args["log"], "--at", args["at"],
        "--hours", "6", "-r", "20", "--seed", "3", "--format", "json", "-q",
    )
    assert comparable(ours.json) == comparable(theirs.stdout)
    hours = ours.to_pandas("hours")
    assert len(hours) == 6
    assert {"start", "departures.mean", "departures.p5", "departures.p95", "in_port.mean"} <= set(hours.columns)
    assert (hours["departures.p5"] <= hours["departures.p95"]).all()
    stages = ours.to_pandas("stages")
    assert len(stages) == 6 * len(ours.data["hours"][0]["stages"])


def test_forecast_mistakes_raise_scenario_error():
    with pytest.raises(portsim.ScenarioError):
        portsim.forecast("scenarios/logs/example-port.toml", "scenarios/logs/example-port.csv", "not a time")
