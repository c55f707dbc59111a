//! The calibrate page (`/calibrate?log=…[&map=…]`): a workspace log
//! calibrated as `portsim calibrate` does, its report shown, and the
//! calibrated scenario saved into the workspace under a name the user
//! gives, then opened in the editor.
//!
//! One code path with the command line: [`crate::calibrate::estimate`]
//! and [`crate::calibrate::validate_in_place`] with the same options, so
//! the report is `--format table`'s and `--format json`'s and the saved
//! text is the one `--scenario` writes for the same replications and
//! seed. `POST /api/calibrate` (`{log, map, replications, seed}`) answers
//! with the report; a mistake in the log or the map is 422 with its
//! message (file, row and column), shown on the page, never a 500.
//! `POST /api/calibrate/save` (`{…, name, overwrite}`) estimates again
//! (deterministic: the same text; the validation is not needed for it)
//! and writes the text through [`crate::store::incoming`]: never over a
//! link or anything but a regular file, over an existing file only with
//! `overwrite` (409 otherwise).
//!
//! Calibrations and forecasts ([`super::now`]) run on the blocking pool
//! one at a time (`one_at_a_time`), beside the job queue's runs rather
//! than in it: they are not stored in the ledger.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::pages::{shell, url};
use super::state::{ApiError, Shared, blocking};
use super::workspace::{Entry, LogEntry, Workspace};
use crate::calibrate::{self, CalibrateError, Options};
use crate::report::calibrate as report;
use crate::report::html::page::{self, Markup, html};
use crate::scenario::limits;
use crate::store::incoming::{Incoming, IncomingError, Replace};

/// Most validation replications the page runs (the command line allows
/// more; the page is for a first look).
pub const MAX_PAGE_REPLICATIONS: u64 = 1_000;

static ONE: Mutex<()> = Mutex::new(());
/// Never set: a calibration asked for by a page runs to its end.
static NEVER: AtomicBool = AtomicBool::new(false);

/// A guard held while a calibration or forecast of the pages runs, so
/// that they take the cores one at a time.
pub(super) fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the page asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct CalibrateRequest {
    /// The log, a workspace `.csv` name.
    pub log: String,
    /// Its map, a workspace `.toml` name.
    #[serde(default)]
    pub map: Option<String>,
    /// Validation replications (20 by default, as the command line).
    #[serde(default)]
    pub replications: Option<u64>,
    /// The seed (1 by default, as the command line).
    #[serde(default)]
    pub seed: Option<u64>,
}

/// What the save button asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct SaveRequest {
    /// The calibration.
    #[serde(flatten)]
    pub calibration: CalibrateRequest,
    /// The new scenario's workspace name (`.toml`).
    pub name: String,
    /// Whether an existing file of that name may be replaced.
    #[serde(default)]
    pub overwrite: bool,
}

/// The options of `request`, as the command line's defaults fill them.
fn options(request: &CalibrateRequest) -> Result<Options, ApiError> {
    let defaults = Options::default();
    let r = request.replications.unwrap_or(defaults.replications);
    limits::replications(r).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("invalid replications `{r}`: {e}"),
        )
    })?;
    if r > MAX_PAGE_REPLICATIONS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "at most {MAX_PAGE_REPLICATIONS} replications on this page; use `portsim calibrate -r {r}` for more"
            ),
        ));
    }
    Ok(Options {
        replications: r,
        seed: request.seed.unwrap_or(defaults.seed),
        ..defaults
    })
}

/// The log's and the map's paths in the workspace.
fn paths(
    ws: &Workspace,
    request: &CalibrateRequest,
) -> Result<(PathBuf, Option<PathBuf>), ApiError> {
    let log = ws.resolve_log(&request.log)?;
    if !log.exists() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no log `{}` in the workspace", request.log),
        ));
    }
    let map = match request.map.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => {
            let p = ws.resolve(m)?;
            if !p.exists() {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no map `{m}` in the workspace"),
                ));
            }
            Some(p)
        }
        None => None,
    };
    Ok((log, map))
}

/// A calibration's error as the API's: the log's or map's mistakes 422,
/// with the workspace's path made relative.
fn failed(ws: &Workspace, e: &CalibrateError) -> ApiError {
    let status = match e {
        CalibrateError::Log(_) => StatusCode::UNPROCESSABLE_ENTITY,
        CalibrateError::Scenario(_) | CalibrateError::Run(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, ws.relative(&e.to_string()))
}

/// Reads and estimates (no validation).
fn estimate(
    ws: &Workspace,
    request: &CalibrateRequest,
) -> Result<(calibrate::Calibration, Options), ApiError> {
    let options = options(request)?;
    let (log, map) = paths(ws, request)?;
    let layout =
        calibrate::layout(map.as_deref()).map_err(|e| failed(ws, &CalibrateError::Log(e)))?;
    let mut cal = calibrate::estimate(&log, &layout, &options).map_err(|e| failed(ws, &e))?;
    // The reports name the log and map as the user knows them: by their
    // workspace names (the command line run in the workspace does too).
    cal.log = PathBuf::from(&request.log);
    cal.map = request
        .map
        .as_deref()
        .filter(|m| !m.is_empty())
        .map(PathBuf::from);
    Ok((cal, options))
}

/// `POST /api/calibrate`.
pub async fn run(
    axum::extract::State(app): Shared,
    body: Result<Json<CalibrateRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    let answer = blocking(move || {
        let _turn = one_at_a_time();
        let ws = &app.workspace;
        let (mut cal, options) = estimate(ws, &request)?;
        calibrate::validate_in_place(&mut cal, &options, &NEVER, || {})
            .map_err(|e| failed(ws, &e))?;
        Ok::<_, ApiError>(json!({
            "log": request.log,
            "table": ws.relative(&report::table(&cal)),
            "html": ws.relative(&report::html::body(&cal)),
            "calibration": report::json(&cal),
            "scenario": ws.relative(&cal.scenario_text),
            "warnings": cal.warnings.iter().map(|w| ws.relative(w)).collect::<Vec<_>>(),
        }))
    })
    .await??;
    Ok(Json(answer).into_response())
}

/// `POST /api/calibrate/save`.
pub async fn save(
    axum::extract::State(app): Shared,
    body: Result<Json<SaveRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    let answer = blocking(move || {
        let ws = &app.workspace;
        let target = ws.new_scenario_target(&request.name)?;
        let replace = if request.overwrite {
            Replace::Yes
        } else {
            Replace::No
        };
        // Refused before the work when the name is taken.
        drop(Incoming::begin(&target, replace).map_err(|e| written(ws, &e))?);
        let (cal, _) = {
            let _turn = one_at_a_time();
            estimate(ws, &request.calibration)?
        };
        let mut file = Incoming::begin(&target, replace).map_err(|e| written(ws, &e))?;
        file.write(ws.relative(&cal.scenario_text).as_bytes())
            .map_err(|e| written(ws, &e))?;
        file.finish().map_err(|e| written(ws, &e))?;
        Ok::<_, ApiError>(json!({
            "name": request.name,
            "edit": format!("/edit?file={}", url(&request.name)),
        }))
    })
    .await??;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// A write's error as the API's.
fn written(ws: &Workspace, e: &IncomingError) -> ApiError {
    let status = match e {
        IncomingError::Exists { .. } | IncomingError::NotRegular { .. } => StatusCode::CONFLICT,
        IncomingError::Io { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, ws.relative(&e.to_string()))
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    log: Option<String>,
    map: Option<String>,
}

/// A `select` of `names`, `chosen` selected, with an empty first option
/// when `none` names it.
pub(super) fn select(
    id: &str,
    names: &[String],
    chosen: Option<&str>,
    none: Option<&str>,
) -> Markup {
    html! {
        select #(id) name=(id) {
            @if let Some(n) = none { option value="" { (n) } }
            @for n in names {
                option value=(n) selected[chosen == Some(n.as_str())] { (n) }
            }
        }
    }
}

/// The names of the logs, and of the maps among the entries.
pub(super) fn names(logs: &[LogEntry], entries: &[Entry]) -> (Vec<String>, Vec<String>) {
    (
        logs.iter().map(|l| l.name.clone()).collect(),
        entries
            .iter()
            .filter(|e| e.map)
            .map(|e| e.name.clone())
            .collect(),
    )
}

/// `GET /calibrate`.
pub(super) async fn page(
    axum::extract::State(app): Shared,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let (logs, entries) = blocking(move || (app.workspace.logs(), app.workspace.list())).await?;
    let (logs, maps) = names(&logs, &entries);
    let stem = q
        .log
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|l| l.strip_suffix(".csv"))
        .unwrap_or("port");
    let body = html! {
        (page::header("portsim calibrate", "Calibrate a scenario from a log", html! {
            p.meta { "As " code { "portsim calibrate LOG --map MAP -r N --seed S" } ": arrivals, routing, lanes, hours and service-time fits from the log, then a validation run of the calibrated scenario over the log's calendar (docs/event-log.md)." }
        }))
        form.job #calibrate {
            label { "Log" (select("log", &logs, q.log.as_deref(), None)) }
            label { "Map" (select("map", &maps, q.map.as_deref(), Some("none (plain layout)"))) }
            label { "Replications" input #replications type="number" min="1" max=(MAX_PAGE_REPLICATIONS) value="20"; }
            label { "Seed" input #seed type="number" min="0" value="1"; }
            button type="submit" { "Calibrate" }
            span #calibrate-status {}
        }
        div #calibrate-error .error hidden {}
        div #calibrate-result hidden {
            (page::section("Report", "What the log holds, the arrivals, each stage (its share, lanes, hours and the chosen service-time family with its 95% interval), the data quality and the validation's verdicts."))
            ul #calibrate-warnings {}
            div #calibrate-page {}
            details { summary { "The report as text (`portsim calibrate`'s table)" } pre #calibrate-report {} }
            (page::section("Save the scenario", "The calibrated scenario, the text `portsim calibrate --scenario` writes, as a workspace file."))
            form.job #save-scenario {
                label { "Save scenario as…" input #save-name required value={ "calibrated-" (stem) ".toml" } pattern="[A-Za-z0-9_][A-Za-z0-9._\\-\\/]*\\.toml"; }
                label.check { input #save-overwrite type="checkbox"; " replace an existing file" }
                button type="submit" { "Save" }
                span #save-status {}
            }
            p #open-editor hidden { a.button #open-link href="/" { "Open in editor" } }
            details { summary { "The scenario's text" } pre #calibrate-scenario {} }
        }
        script src="/static/logs.js" defer {}
    };
    Ok(Html(shell("Calibrate", body)))
}
