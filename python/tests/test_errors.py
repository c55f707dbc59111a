"""Errors: the command line's diagnostics as ScenarioError, Ctrl-C as
KeyboardInterrupt."""

import signal
import threading

import pytest

import portsim

TYPO = """name = "typo"
horizon = "1d"
lanse = 4
"""


def test_scenario_error_carries_the_command_lines_diagnostics(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TYPO)
    with pytest.raises(portsim.ScenarioError) as caught:
        portsim.run(bad)
    e = caught.value
    assert e.code == 2
    assert (e.file, e.line, e.column) == (str(bad), 3, 1)
    assert e.message.startswith("unknown key `lanse`")
    # word for word what the command line prints
    theirs = cli("run", str(bad), "-q", expect=2)
    assert str(e) == theirs.stderr.strip()
    # every problem, not only the first
    assert len(e.diagnostics) > 1
    assert any(d.message.startswith("missing key `demand`") for d in e.diagnostics)


def test_toml_text_errors_name_toml():
    with pytest.raises(portsim.ScenarioError) as caught:
        portsim.run(toml=TYPO)
    assert (caught.value.file, caught.value.line, caught.value.column) == ("<toml>", 3, 1)


def test_a_bad_set_is_located_at_the_override():
    with pytest.raises(portsim.ScenarioError) as caught:
        portsim.run("scenarios/example.toml", set={"stages.document-check.lanse": 2})
    assert "lanse" in str(caught.value)


def test_a_missing_file_is_a_scenario_error():
    with pytest.raises(portsim.ScenarioError, match="no-such.toml"):
        portsim.run("no-such.toml")


def test_a_broken_limit_is_a_scenario_error():
    with pytest.raises(portsim.ScenarioError, match="replications"):
        portsim.run("scenarios/example.toml", replications=0)


def test_the_path_or_the_text():
    with pytest.raises(TypeError):
        portsim.run()
    with pytest.raises(TypeError):
        portsim.run("scenarios/example.toml", toml="name = 'x'")


def test_ctrl_c_stops_a_long_run():
    # a run of many minutes, interrupted after half a second
    timer = threading.Timer(0.5, signal.raise_signal, args=(signal.SIGINT,))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            portsim.run("scenarios/horgos-before.toml", replications=5000, horizon="365d")
    finally:
        timer.cancel()
    # and the next run is not cancelled
    assert portsim.run("scenarios/example.toml", replications=2).data["complete"] is True
