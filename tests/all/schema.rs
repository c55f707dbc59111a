//! The JSON Schema of the scenario format (`portsim schema`,
//! `schema/scenario.schema.json`): the published file is what the reader's
//! types generate, and every key that docs/scenario-format.md documents is
//! in it. That the bundled scenarios and patches validate against it is
//! checked with an independent validator (Python's `jsonschema`) in
//! `python/tests/test_schema.py`.

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
