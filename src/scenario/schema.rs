//! The JSON Schema of scenario files, generated from the reader's own raw
//! types (`raw`, which derive `schemars::JsonSchema`), for editors (taplo,
//! Even Better TOML) and other tools. `portsim schema` prints it;
//! `schema/scenario.schema.json` is this document, kept in step by a test.
//!
//! The raw types say which keys exist and what shape each value has;
//! a key added to the reader is in the schema without another edit, and
//! since the raw structs refuse unknown keys, so does the schema
//! (`additionalProperties: false`). What only the checks know (ranges,
//! references between stages, sums of shares) is not in it: the schema
//! lets an editor complete keys and flag shapes as one types, and
//! `portsim run` stays the judge. Two rules of the reader are added here by
//! hand, as they are not in the raw types:
//!
//! * a file without `extends` needs `name`, `horizon`, `demand` and
//!   `stages`; a file that `extends` another (an intervention patch)
//!   needs nothing;
//! * `stages`, `classes`, `pools` and `entrances` may also be tables of
//!   items by name (`[stages.NAME]`, a patch of one item: see `named`).

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use super::named::NAMED;
use super::raw::{
    DistSpec, Expect, Int, Lanes, NumberSpec, Param, RawShift, ScenarioFile, StageShare, Text,
};

/// Where the published schema lives in the repository.
pub const PATH: &str = "schema/scenario.schema.json";

/// The keys a scenario without `extends` must have.
const REQUIRED: [&str; 4] = ["name", "horizon", "demand", "stages"];

/// The schema of scenario files and patches, as published.
pub fn scenario() -> Value {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<ScenarioFile>();
    let mut doc = schema.to_value();
    // TOML has no null: an absent key is how a file leaves a value out.
    drop_null(&mut doc);
    if let Value::Object(map) = &mut doc {
        map.insert("title".into(), json!("portsim scenario"));
        map.insert(
            "description".into(),
            json!("A portsim scenario file or intervention patch (docs/scenario-format.md)"),
        );
        map.insert("if".into(), json!({ "not": { "required": ["extends"] } }));
        map.insert("then".into(), json!({ "required": REQUIRED }));
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for key in NAMED {
                if let Some(list) = props.get_mut(key) {
                    let items = list.get("items").cloned().unwrap_or(json!({}));
                    *list = json!({
                        "anyOf": [
                            list.clone(),
                            { "type": "object", "additionalProperties": items },
                        ]
                    });
                }
            }
        }
    }
    doc
}

/// Removes `null` from every type: schemars allows it for `Option`.
pub(crate) fn drop_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [one] = types.as_slice() {
                    let one = one.clone();
                    map.insert("type".into(), one);
                }
            }
            if let Some(Value::Array(forms)) = map.get_mut("anyOf") {
                forms.retain(|f| f != &json!({ "type": "null" }));
                if let [one] = forms.as_slice() {
                    let one = one.clone();
                    map.remove("anyOf");
                    if let Value::Object(inner) = one {
                        map.extend(inner);
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// The schema as the published file holds it: pretty, newline-ended.
pub fn scenario_text() -> String {
    serde_json::to_string_pretty(&scenario()).unwrap_or_default() + "\n"
}

impl<E: Expect> JsonSchema for Text<E> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "description": E::WHAT })
    }
}

impl JsonSchema for Int {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Int".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer" })
    }
}

impl JsonSchema for Lanes {
    fn schema_name() -> Cow<'static, str> {
        "Lanes".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let shift = generator.subschema_for::<RawShift>();
        json_schema!({
            "description": "a lane count like 4, a shift table like [{ hours = \"08:00-20:00\", count = 6 }], or \"unlimited\"",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "array", "items": shift },
                { "const": "unlimited" },
            ]
        })
    }
}

impl JsonSchema for StageShare {
    fn schema_name() -> Cow<'static, str> {
        "StageShare".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a share like 0.3, or one per class like { truck = 0.3 }",
            "anyOf": [
                { "type": "number" },
                { "type": "object", "additionalProperties": { "type": "number" } },
            ]
        })
    }
}

impl JsonSchema for Param {
    fn schema_name() -> Cow<'static, str> {
        "Param".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let this = generator.subschema_for::<Param>();
        json_schema!({
            "description": "a duration like \"5m\", a number, or a list of them",
            "anyOf": [
                { "type": "string" },
                { "type": "number" },
                { "type": "array", "items": this },
            ]
        })
    }
}

/// The table form of a distribution: `dist` and its parameters.
fn dist_table(generator: &mut SchemaGenerator) -> Value {
    let param = generator.subschema_for::<Param>();
    json!({
        "type": "object",
        "properties": { "dist": { "type": "string" } },
        "required": ["dist"],
        "additionalProperties": param,
    })
}

impl JsonSchema for DistSpec {
    fn schema_name() -> Cow<'static, str> {
        "Distribution".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let table = dist_table(generator);
        json_schema!({
            "description": "a duration like \"5m\" or a distribution like { dist = \"exponential\", mean = \"5m\" } (docs/scenario-format.md, Distributions)",
            "anyOf": [ { "type": "string" }, table ]
        })
    }
}

impl JsonSchema for NumberSpec {
    fn schema_name() -> Cow<'static, str> {
        "NumberDistribution".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let table = dist_table(generator);
        json_schema!({
            "description": "a number of trucks like 20 or a distribution like { dist = \"uniform\", min = 10, max = 30 }",
            "anyOf": [ { "type": "number" }, table ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_key_of_the_reader_is_a_property() {
        let doc = scenario();
        let props = doc["properties"].as_object().expect("properties");
        for key in [
            "name", "horizon", "demand", "stages", "extends", "replaces", "initial",
        ] {
            assert!(props.contains_key(key), "{key}");
        }
        assert_eq!(doc["additionalProperties"], json!(false));
    }

    #[test]
    fn a_file_without_extends_needs_the_required_keys() {
        let doc = scenario();
        assert_eq!(doc["then"]["required"], json!(REQUIRED));
        assert_eq!(doc["if"]["not"]["required"], json!(["extends"]));
    }

    #[test]
    fn stages_may_be_a_list_or_a_table_by_name() {
        let doc = scenario();
        let forms = doc["properties"]["stages"]["anyOf"]
            .as_array()
            .expect("anyOf");
        assert_eq!(forms[0]["type"], json!("array"));
        assert_eq!(forms[1]["additionalProperties"], forms[0]["items"]);
    }
}
