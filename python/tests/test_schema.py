"""The scenario schema (schema/scenario.schema.json) and the study files'
(schema/sweep.schema.json, plan, sensitivity) checked with an independent
validator, Python's jsonschema: every bundled scenario, intervention patch
and study file validates; typos and missing keys do not."""

import datetime
import json

import jsonschema
import pytest

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

import portsim
from conftest import REPO

SCHEMA = json.loads((REPO / "schema" / "scenario.schema.json").read_text())
FILES = sorted(
    p for p in (REPO / "scenarios").rglob("*.toml") if "studies" not in p.parts
)


def as_json(value):
    """TOML values as JSON sees them: dates and times become their text,
    as editors (taplo) read them."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    return value


def validate(text):
    jsonschema.validate(as_json(tomllib.loads(text)), SCHEMA, cls=jsonschema.Draft7Validator)


def test_the_schema_is_a_valid_draft_7_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_the_package_gives_the_published_schema():
    assert portsim.schema() == SCHEMA


def test_there_are_scenarios_and_patches():
    names = {p.parent.name for p in FILES}
    assert {"scenarios", "interventions", "examples"} <= names
    assert len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_bundled_scenario_and_patch_validates(path):
    validate(path.read_text(encoding="utf-8"))


def test_a_misspelt_key_is_refused():
    text = (REPO / "scenarios" / "example.toml").read_text(encoding="utf-8")
    with pytest.raises(jsonschema.ValidationError, match="lanse"):
        validate(text + "\nlanse = 4\n")


def test_a_scenario_without_extends_needs_its_keys():
    with pytest.raises(jsonschema.ValidationError, match="name"):
        validate('horizon = "1d"\n[demand]\nrate = "1/h"\n[[stages]]\nname = "a"\nlanes = 1\nservice = "1m"\n')


def test_a_patch_needs_no_key():
    validate('extends = "base.toml"\n[stages.exit]\nlanes = 2\n')


def test_a_wrong_shape_is_refused():
    with pytest.raises(jsonschema.ValidationError):
        validate('extends = "base.toml"\n[port]\nparking = "many"\n')


STUDY_KINDS = ("sweep", "plan", "sensitivity")
STUDY_SCHEMAS = {
    kind: json.loads((REPO / "schema" / f"{kind}.schema.json").read_text())
    for kind in STUDY_KINDS
}
STUDIES = sorted((REPO / "scenarios" / "studies").glob("*.toml"))


def kind_of(path):
    """A study file's kind, by the naming convention taplo.toml uses."""
    return path.name.split("-", 1)[0]


def validate_study(kind, text):
    jsonschema.validate(
        as_json(tomllib.loads(text)), STUDY_SCHEMAS[kind], cls=jsonschema.Draft7Validator
    )


@pytest.mark.parametrize("kind", STUDY_KINDS)
def test_each_study_schema_is_valid_and_the_packages(kind):
    jsonschema.Draft7Validator.check_schema(STUDY_SCHEMAS[kind])
    assert portsim.schema(kind) == STUDY_SCHEMAS[kind]


def test_every_study_kind_has_a_bundled_file():
    assert {kind_of(p) for p in STUDIES} == set(STUDY_KINDS)


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_bundled_study_file_validates(path):
    validate_study(kind_of(path), path.read_text(encoding="utf-8"))


def test_a_misspelt_study_key_is_refused():
    text = (REPO / "scenarios" / "studies" / "plan-example-lanes.toml").read_text(encoding="utf-8")
    with pytest.raises(jsonschema.ValidationError, match="max_candidate"):
        validate_study("plan", text + "\nmax_candidate = 4\n")
    with pytest.raises(jsonschema.ValidationError, match="scenario"):
        validate_study("sweep", '[[factors]]\nkey = "stages.exit.lanes"\nvalues = [1, 2]\n')
