"""Shared fixtures: the repository, and the portsim binary to compare with.

The binary is ``$PORTSIM_BIN``, or ``target/release/portsim`` of this
repository (``.ci/run`` builds it before the Python tests). Tests run from
the repository root so that paths in results read as on the command line.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.fixture(scope="session")
def cli():
    binary = Path(os.environ.get("PORTSIM_BIN", REPO / "target" / "release" / "portsim"))
    assert binary.is_file(), f"build the binary first: {binary} (cargo build --release)"

    def call(*args, expect=0):
        done = subprocess.run([str(binary), *args], cwd=REPO, capture_output=True, text=True)
        assert done.returncode == expect, done.stderr
        return done

    return call


def comparable(text: str):
    """A JSON document without what differs between two runs of the same
    inputs: the threads used and the wall time."""
    doc = json.loads(text)

    def strip(value):
        if isinstance(value, dict):
            manifest = value.get("manifest")
            if isinstance(manifest, dict):
                manifest.pop("threads", None)
                manifest.pop("wall_time_s", None)
            for v in value.values():
                strip(v)
        elif isinstance(value, list):
            for v in value:
                strip(v)

    strip(doc)
    return doc
