//! Reforms as forms: a scenario's page of what a reform can change, with
//! the current values, and the intervention file the app writes from it.
//!
//! `GET /reform?file=S` lists the settings a reform changes (demand rate;
//! the port's hours, days and parking; each stage's lanes or shifts,
//! hours, days, mean service time and share; appointments), each with its
//! value in the resolved scenario. `POST /api/reform` (`{file, name,
//! values: {KEY: TEXT}}`) writes the settings that differ as a patch
//! that `extends` the scenario, named `NAME.toml` in the `interventions/`
//! folder beside the scenario when there is one, else beside it. It is
//! written through [`Workspace::save`] (confined, atomic), never over an
//! existing file (409), and answered with the CLI's diagnostics of the
//! new file, which the page shows with links to the editor, to compare
//! and to attribute.
//!
//! A value is read as people write it: a rate or a duration as plain text
//! (`600/d`, `6m`), hours and days as a comma-separated list
//! (`08:00-20:00, 21:00-23:00`), anything else (a count, a shift table, a
//! share) as a TOML value. An empty box leaves the setting as it is.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use toml::Value;

use super::pages::{self, shell};
use super::prepared::diagnostics;
use super::state::{ApiError, Shared, blocking};
use super::workspace::{PathError, Workspace};
use crate::experiment::labels::setting;
use crate::report::html::page::{self as report_page, html};

/// How a setting is written in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Plain text, written as a TOML string: `600/d`, `6m`.
    Text,
    /// A comma-separated list, written as an array of strings.
    List,
    /// A TOML value as written in a scenario: `8`, `[{ hours = … }]`.
    Toml,
}

/// One setting a reform can change.
#[derive(Clone, Debug)]
pub struct Field {
    /// Its key, as `--set` writes it: `stages.customs.lanes`.
    pub key: String,
    /// In words: "lanes at customs".
    pub words: String,
    /// Its current value, as the form shows it (empty when unset).
    pub current: String,
    /// How it is written.
    pub form: Form,
}

/// `v` as the form shows it.
fn shown(v: &Value, form: Form) -> String {
    match (v, form) {
        (Value::String(s), Form::Text | Form::List) => s.clone(),
        (Value::Array(items), Form::List) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        _ => v.to_string(),
    }
}

fn field(fields: &mut Vec<Field>, key: String, value: Option<&Value>, form: Form) {
    fields.push(Field {
        words: setting(&key),
        current: value.map(|v| shown(v, form)).unwrap_or_default(),
        key,
        form,
    });
}

/// The settings a reform can change in the scenario whose resolved TOML
/// is `resolved`, with their current values.
pub fn fields(resolved: &str) -> Vec<Field> {
    let Ok(doc) = resolved.parse::<toml::Table>() else {
        return Vec::new();
    };
    let table = |name: &str| doc.get(name).and_then(Value::as_table);
    let mut out = Vec::new();
    let demand = table("demand");
    field(
        &mut out,
        "demand.rate".into(),
        demand.and_then(|d| d.get("rate")),
        Form::Text,
    );
    let port = table("port");
    for (key, form) in [
        ("open", Form::List),
        ("days", Form::List),
        ("parking", Form::Toml),
    ] {
        field(
            &mut out,
            format!("port.{key}"),
            port.and_then(|p| p.get(key)),
            form,
        );
    }
    let stages = doc.get("stages").and_then(Value::as_array);
    for stage in stages.into_iter().flatten().filter_map(Value::as_table) {
        let Some(name) = stage.get("name").and_then(Value::as_str) else {
            continue;
        };
        let mean = stage
            .get("service")
            .and_then(Value::as_table)
            .and_then(|s| s.get("mean"));
        let at = |k: &str| format!("stages.{name}.{k}");
        field(&mut out, at("lanes"), stage.get("lanes"), Form::Toml);
        field(&mut out, at("open"), stage.get("open"), Form::List);
        field(&mut out, at("days"), stage.get("days"), Form::List);
        field(&mut out, at("service.mean"), mean, Form::Text);
        field(&mut out, at("share"), stage.get("share"), Form::Toml);
    }
    let appointments = table("appointments");
    for (key, form) in [
        ("share", Form::Toml),
        ("slot", Form::Text),
        ("capacity", Form::Toml),
        ("hours", Form::List),
    ] {
        field(
            &mut out,
            format!("appointments.{key}"),
            appointments.and_then(|a| a.get(key)),
            form,
        );
    }
    out
}

/// The value `text` of `field` as TOML, or why it is not one.
fn value_of(field: &Field, text: &str) -> Result<Value, String> {
    match field.form {
        Form::Text => Ok(Value::String(text.to_owned())),
        Form::List => Ok(Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        Form::Toml => format!("v = {text}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .ok_or_else(|| {
                format!(
                    "{} ({}): `{text}` is not a value as a scenario writes it, e.g. `8` or `[{{ hours = \"08:00-20:00\", count = 8 }}]`",
                    field.words, field.key
                )
            }),
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

/// The patch of `scenario` (its name as the patch's `extends` writes it)
/// setting `values` where they differ from `fields`' current values, in
/// `[section]` tables (`[stages.NAME]` for a stage), with the changes
/// listed in a comment at the top; and the number of settings changed.
/// The resolved scenario supplies the rest of a stage's service when only
/// its mean changes.
pub fn patch(
    extends: &str,
    resolved: &str,
    fields: &[Field],
    values: &BTreeMap<String, String>,
) -> Result<(String, usize), String> {
    let doc: toml::Table = resolved.parse().unwrap_or_default();
    let mut sections: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut said = Vec::new();
    for f in fields {
        let Some(text) = values.get(&f.key).map(|t| t.trim()) else {
            continue;
        };
        if text.is_empty() || text == f.current {
            continue;
        }
        let mut value = value_of(f, text)?;
        let (section, key) = match f.key.strip_prefix("stages.") {
            Some(rest) => {
                let (name, key) = rest.split_once('.').unwrap_or((rest, ""));
                (format!("stages.{}", toml_key(name)), key.to_owned())
            }
            None => {
                let (s, k) = f.key.split_once('.').unwrap_or(("", &f.key));
                (s.to_owned(), k.to_owned())
            }
        };
        let key = if key == "service.mean" {
            // The service is one value: its other keys come with it.
            let name = f
                .key
                .trim_start_matches("stages.")
                .trim_end_matches(".service.mean");
            let mut service = doc
                .get("stages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_table)
                .find(|s| s.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|s| s.get("service"))
                .and_then(Value::as_table)
                .cloned()
                .unwrap_or_default();
            service.insert("mean".into(), value);
            value = Value::Table(service);
            "service".to_owned()
        } else {
            key
        };
        said.push(format!(
            "{}: {} -> {text}",
            f.words,
            if f.current.is_empty() {
                "(not set)"
            } else {
                &f.current
            }
        ));
        if !sections.contains_key(&section) {
            order.push(section.clone());
        }
        sections.entry(section).or_default().push((key, value));
    }
    let mut out = format!(
        "# An intervention written by portsim serve's reform form.\n# It changes:\n{}\nextends = {}\n",
        said.iter()
            .map(|s| format!("#   {s}\n"))
            .collect::<String>(),
        Value::String(extends.to_owned())
    );
    for section in &order {
        out.push_str(&format!("\n[{section}]\n"));
        for (key, value) in &sections[section] {
            let value = match value {
                Value::Table(t) => inline(t),
                v => v.to_string(),
            };
            out.push_str(&format!("{} = {value}\n", toml_key(key)));
        }
    }
    Ok((out, said.len()))
}

/// A table as an inline table, `{ dist = "lognormal", mean = "6m" }`.
fn inline(t: &toml::Table) -> String {
    let parts: Vec<String> = t
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Table(t) => inline(t),
                v => v.to_string(),
            };
            format!("{} = {v}", toml_key(k))
        })
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

/// Where the intervention `name` of `scenario` goes, and how it names the
/// scenario in its `extends`: `DIR/interventions/NAME.toml` with
/// `extends = "../S.toml"` when that folder exists, else `DIR/NAME.toml`.
fn place(ws: &Workspace, scenario: &str, name: &str) -> (String, String) {
    let (dir, file) = match scenario.rsplit_once('/') {
        Some((d, f)) => (format!("{d}/"), f),
        None => (String::new(), scenario),
    };
    // A name in a folder resolves only when the folder exists (inside).
    let inside = format!("{dir}interventions/{name}.toml");
    if ws.resolve(&inside).is_ok() {
        (inside, format!("../{file}"))
    } else {
        (format!("{dir}{name}.toml"), file.to_owned())
    }
}

/// A reform's name: letters, digits, `-` and `_`, at most 64.
fn good_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Deserialize)]
pub(super) struct FileQuery {
    file: String,
}

/// The reform page of a scenario.
pub(super) async fn page(State(app): Shared, Query(q): Query<FileQuery>) -> Response {
    let result = blocking(move || {
        let s = app.workspace.load(&q.file)?;
        Ok::<_, PathError>(s.map(|s| render(&q.file, &s.name, &fields(&s.resolved))))
    })
    .await;
    match result {
        Ok(Ok(Ok(html))) => Html(html).into_response(),
        Ok(Ok(Err(e))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(pages::problem("The scenario has mistakes", &e.to_string())),
        )
            .into_response(),
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(e) => e.into_response(),
    }
}

fn render(file: &str, title: &str, fields: &[Field]) -> String {
    let body = html! {
        (report_page::header("portsim reform", &format!("A reform of {title}"), html! {
            p.meta { "Change the values a reform changes and save them as a named intervention: a file that " code { "extends" } " " code { (file) } " and holds only the changes. Empty boxes and unchanged values are left as they are." }
        }))
        form.reform #reform-form data-file=(file) {
            label.name { "Intervention name " input name="name" required pattern="[A-Za-z0-9_\\-]{1,64}" placeholder="more-lanes"; }
            table.metrics #reform-fields {
                thead { tr { th { "setting" } th { "now" } th { "reform" } } }
                tbody {
                    @for f in fields {
                        tr data-key=(f.key) {
                            th { (f.words) br; small { code { (f.key) } } }
                            td { @if f.current.is_empty() { "–" } @else { code { (f.current) } } }
                            td { input name=(f.key) value=(f.current) aria-label=(f.words) size="40"; }
                        }
                    }
                }
            }
            button #reform-save type="submit" { "Save as intervention" }
        }
        p #reform-error.error role="alert" hidden {}
        div #reform-done hidden {
            p { "Saved as " a #reform-file href="#" { "" } "." }
            p.actions {
                a.button #reform-attribute href="#" { "Attribute" } " "
                a.button #reform-compare href="#" { "Compare" }
            }
            ol.diagnostics #reform-diagnostics {}
        }
        script src="/static/reform.js" defer {}
    };
    shell(&format!("Reform of {title}"), body)
}

/// A reform as the page sends it.
#[derive(Deserialize)]
pub(super) struct Request {
    file: String,
    name: String,
    values: BTreeMap<String, String>,
}

/// Writes the intervention a reform form describes.
pub(super) async fn save(
    State(app): Shared,
    body: Result<Json<Request>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(r) = body?;
    if !good_name(&r.name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "an intervention's name is 1 to 64 letters, digits, `-` or `_`, e.g. `more-lanes`",
        ));
    }
    blocking(move || {
        let ws = &app.workspace;
        let s = ws
            .load(&r.file)?
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
        let (target, extends) = place(ws, &r.file, &r.name);
        if ws.resolve(&target)?.exists() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("`{target}` already exists: choose another name, or edit that file"),
            ));
        }
        let (text, changed) = patch(&extends, &s.resolved, &fields(&s.resolved), &r.values)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
        if changed == 0 {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing was changed: edit at least one value",
            ));
        }
        ws.save(&target, &text)?;
        let found = ws
            .load(&target)?
            .err()
            .map(|e| diagnostics(&e))
            .unwrap_or_default();
        Ok(Json(json!({
            "file": target,
            "baseline": r.file,
            "changed": changed,
            "valid": found.is_empty(),
            "diagnostics": found,
        }))
        .into_response())
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESOLVED: &str = r#"
name = "p"
[demand]
rate = "300/d"
[port]
open = ["08:00-20:00"]
[[stages]]
name = "customs"
lanes = 4
service = { dist = "lognormal", mean = "6m", sd = "2m" }
[[stages]]
name = "x ray"
lanes = [{ hours = "08:00-20:00", count = 2 }]
service = { dist = "exponential", mean = "3m" }
"#;

    #[test]
    fn the_form_lists_current_values_and_writes_only_changes() {
        let f = fields(RESOLVED);
        let current = |k: &str| f.iter().find(|x| x.key == k).map(|x| x.current.clone());
        assert_eq!(current("demand.rate").as_deref(), Some("300/d"));
        assert_eq!(current("port.open").as_deref(), Some("08:00-20:00"));
        assert_eq!(current("stages.customs.lanes").as_deref(), Some("4"));
        assert_eq!(
            current("stages.customs.service.mean").as_deref(),
            Some("6m")
        );
        assert_eq!(current("appointments.share").as_deref(), Some(""));
        let values: BTreeMap<String, String> = [
            ("demand.rate", "300/d"),
            ("port.open", "00:00-24:00"),
            ("stages.customs.lanes", "8"),
            ("stages.customs.service.mean", "5m"),
            (
                "stages.x ray.lanes",
                "[{ hours = \"00:00-24:00\", count = 3 }]",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (text, n) = patch("../p.toml", RESOLVED, &f, &values).unwrap();
        assert_eq!(n, 4, "{text}");
        assert!(text.contains("extends = \"../p.toml\"\n"), "{text}");
        assert!(
            !text.contains("[demand]"),
            "an unchanged value is written: {text}"
        );
        assert!(
            text.contains("[port]\nopen = [\"00:00-24:00\"]\n"),
            "{text}"
        );
        assert!(
            text.contains("[stages.customs]\nlanes = 8\nservice = { dist = \"lognormal\", mean = \"5m\", sd = \"2m\" }\n"),
            "{text}"
        );
        assert!(text.contains("[stages.\"x ray\"]\nlanes = ["), "{text}");
        assert!(text.contains("#   lanes at customs: 4 -> 8\n"), "{text}");
        // The patch is TOML.
        text.parse::<toml::Table>().unwrap();
        let bad: BTreeMap<String, String> =
            [("stages.customs.lanes".to_owned(), "eight [".to_owned())].into();
        let e = patch("p.toml", RESOLVED, &f, &bad).unwrap_err();
        assert!(e.contains("lanes at customs"), "{e}");
    }

    #[test]
    fn names_are_plain() {
        assert!(good_name("more-lanes_2"));
        assert!(!good_name("../x") && !good_name("") && !good_name("a b"));
    }
}
