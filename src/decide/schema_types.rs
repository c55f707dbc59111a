//! The pieces the study files' JSON Schemas share (`decide::schema`
//! dispatches by kind): the root schema of a raw study type, and the
//! value shapes the raw types leave as plain TOML values (a scenario
//! value, an amount, `[set]`), described for editors.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// The schema of the study file type `T`, titled.
pub(super) fn study<T: JsonSchema>(title: &str, description: &str) -> Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut doc = schema.to_value();
    crate::scenario::schema::drop_null(&mut doc);
    if let Value::Object(map) = &mut doc {
        map.insert("title".into(), json!(title));
        map.insert("description".into(), json!(description));
        map.insert("required".into(), json!(["scenario"]));
    }
    doc
}

/// Any TOML value: what an override sets (a number, a duration, a list of
/// hours, a distribution table), judged by the scenario reader.
pub(super) struct AnyValue;

impl JsonSchema for AnyValue {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "AnyValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a value of the scenario key, as in the scenario file: 6, \"14d\", [\"08:00-20:00\"], { dist = \"exponential\", mean = \"5m\" }"
        })
    }
}

/// A number, or a duration with units.
pub(super) struct Amount;

impl JsonSchema for Amount {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a number, or a duration with units like \"4h\"",
            "anyOf": [ { "type": "number" }, { "type": "string" } ]
        })
    }
}

/// `[set]`: scenario keys to values, dotted keys quoted or as tables.
pub(super) struct SetTable;

impl JsonSchema for SetTable {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "SetTable".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "overrides for every point, as for --set: \"stages.gate-in.lanes\" = 3, horizon = \"14d\" (docs/planning.md, Study files)"
        })
    }
}
