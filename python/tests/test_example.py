"""python/examples/horgos.py runs, and shows the command line's comparison."""

import io
import runpy
from contextlib import redirect_stdout

import pandas as pd

from conftest import REPO


def test_horgos_example_reproduces_the_comparison(cli, tmp_path):
    (REPO / "target").mkdir(exist_ok=True)
    printed = io.StringIO()
    with redirect_stdout(printed):
        cells = runpy.run_path(str(REPO / "python" / "examples" / "horgos.py"))
    out = tmp_path / "cmp"
    cli("compare", "scenarios/horgos-before.toml", "scenarios/horgos-after.toml", "-q", "--out", str(out))
    theirs = pd.read_csv(out / "comparison.csv", keep_default_na=False, na_values=[""]).set_index("metric")
    pd.testing.assert_frame_equal(cells["comparison"], theirs)
    # docs/horgos.md: steps -59.8 %, throughput +68 %, cost -45 %
    change = cells["table"]["change_pct"]
    assert round(change["steps_per_truck"], 1) == -59.8
    assert round(change["throughput_per_day"]) == 68
    assert round(change["cost_per_truck"]) == -45
    assert "throughput_per_day" in printed.getvalue()
