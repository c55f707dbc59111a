//! The JSON Schema of the scenario format (`portsim schema`,
//! `schema/scenario.schema.json`): the published file is what the reader's
//! types generate, and every key that docs/scenario-format.md documents is
//! in it. That the bundled scenarios and patches validate against it is
//! checked with an independent validator (Python's `jsonschema`) in
//! `python/tests/test_schema.py`, and so is every bundled study file
//! against its kind's schema (`schema/sweep.schema.json`, `plan`,
//! `sensitivity`), which are kept equal to `portsim schema --kind KIND`
//! here; `taplo.toml` gives each file its schema by name.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::cli_run::portsim;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_published_schema_is_the_generated_one() {
    let published = std::fs::read_to_string(root().join(portsim::scenario::schema::PATH))
        .expect("schema/scenario.schema.json");
    assert!(
        published == portsim::scenario::schema::scenario_text(),
        "schema/scenario.schema.json is out of date: run `cargo run --release -- schema > schema/scenario.schema.json`"
    );
    let out = portsim(&["schema"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), published);
}

/// Every property name anywhere in `schema`.
fn properties(schema: &Value, into: &mut BTreeSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                into.extend(props.keys().cloned());
            }
            map.values().for_each(|v| properties(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| properties(v, into)),
        _ => {}
    }
}

/// The keys of the tables of docs/scenario-format.md: the first cell of
/// every row that is one backticked word.
fn documented_keys(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |"))
        .map(|(key, _)| key.to_owned())
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

#[test]
fn every_documented_key_is_in_the_schema() {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("doc");
    let keys = documented_keys(&doc);
    assert!(keys.len() > 60, "only {} keys read: {keys:?}", keys.len());
    let mut props = BTreeSet::new();
    properties(&portsim::scenario::schema::scenario(), &mut props);
    let missing: Vec<_> = keys.difference(&props).collect();
    assert!(
        missing.is_empty(),
        "documented but not in the schema: {missing:?}"
    );
}

#[test]
fn documented_keys_are_read_from_table_rows_only() {
    let doc =
        "| key | type |\n| --- | --- |\n| `lanes` | integer |\n| `a.b` | x |\ntext `name` |\n";
    assert_eq!(documented_keys(doc), BTreeSet::from(["lanes".to_owned()]));
}

/// The study kinds, with the prefix of their file names.
const STUDY_KINDS: [(portsim::decide::schema::Kind, &str); 3] = [
    (portsim::decide::schema::Kind::Sweep, "sweep"),
    (portsim::decide::schema::Kind::Plan, "plan"),
    (portsim::decide::schema::Kind::Sensitivity, "sensitivity"),
];

#[test]
fn the_published_study_schemas_are_the_generated_ones() {
    for (kind, name) in STUDY_KINDS {
        let path = kind.path();
        assert_eq!(path, format!("schema/{name}.schema.json"));
        let published = std::fs::read_to_string(root().join(path)).expect(path);
        assert!(
            published == kind.text(),
            "{path} is out of date: run `cargo run --release -- schema --kind {name} > {path}`"
        );
        let out = portsim(&["schema", "--kind", name]);
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout), published);
        // taplo gives files of this name the schema.
        let taplo = std::fs::read_to_string(root().join("taplo.toml")).expect("taplo.toml");
        assert!(
            taplo.contains(&format!(
                "include = [\"**/{name}-*.toml\"]\n\n[rule.schema]\npath = \"./{path}\""
            )),
            "taplo.toml has no rule for {name}-*.toml"
        );
    }
    // `portsim schema` is still the scenario's.
    let plain = portsim(&["schema"]);
    let scenario = portsim(&["schema", "--kind", "scenario"]);
    assert_eq!(plain.stdout, scenario.stdout);
}

/// Every top-level key of every bundled study file is a property of its
/// kind's schema, which refuses others; every file is named for its kind
/// (the full validation is python/tests/test_schema.py's).
#[test]
fn bundled_study_files_use_their_schema_keys() {
    let dir = root().join("scenarios/studies");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("studies") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some((kind, prefix)) = STUDY_KINDS
            .iter()
            .find(|(_, p)| name.starts_with(&format!("{p}-")))
        else {
            panic!("{name} is not named sweep-, plan- or sensitivity-*.toml")
        };
        seen.insert(*prefix);
        let schema = kind.schema();
        assert_eq!(schema["additionalProperties"], Value::Bool(false));
        let text = std::fs::read_to_string(&path).expect("study");
        let doc: toml::Table = toml::from_str(&text).expect("TOML");
        for key in doc.keys() {
            assert!(
                schema["properties"].get(key).is_some(),
                "{name}: `{key}` is not in the {prefix} schema"
            );
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}
