//! The now page (`/now?scenario=…&log=…`): the next hours of a port from
//! the trucks its log shows in it, as `portsim forecast SCENARIO --log LOG
//! --at T`, with the backtest scores beside the naive forecast's, as
//! `--backtest FROM..TO --every 6h`.
//!
//! One code path with the command line: the log is read by
//! [`crate::calibrate::log::read`], the scenario loaded (confined to the
//! workspace) with its `start` on the date of the forecast's time
//! ([`crate::forecast::run::start_override`]), then
//! [`crate::forecast::forecast`] and [`crate::forecast::backtest::backtest`];
//! the page shows the report's own blocks
//! ([`crate::report::forecast::html::forecast_body`] and `backtest_body`).
//!
//! Defaults, as the page says: `at` is the minute after the log's last
//! row (so that row counts: only rows before `at` are used), 24 hours, 500
//! replications; the backtest's cuts every 6 h over the last 7 days of
//! the log whose next hours the log still holds (from the first whole
//! hour after the log's first row plus the interval when the log is
//! shorter); no backtest when the log is too short for one cut.

use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::calibrate::{names, one_at_a_time, select};
use super::pages::shell;
use super::state::{ApiError, Shared, blocking};
use super::workspace::Workspace;
use crate::calibrate::log::time::show;
use crate::calibrate::log::{self, Log};
use crate::forecast::backtest::{self, Span};
use crate::forecast::run::start_override;
use crate::forecast::{ForecastError, Options, forecast};
use crate::model::Limits;
use crate::report::forecast as report;
use crate::report::html::page::{self, Ids, html};
use crate::scenario::{self, Scenario, limits};

/// Most replications the page runs.
pub const MAX_PAGE_REPLICATIONS: u64 = 5_000;
/// Most hours ahead (as the command line).
pub const MAX_HOURS: u32 = 24 * 28;
const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;

/// What the page asks for.
#[derive(Clone, Debug, Deserialize)]
pub struct NowRequest {
    /// The scenario, a workspace `.toml` name.
    pub scenario: String,
    /// The log, a workspace `.csv` name.
    pub log: String,
    /// Its map.
    #[serde(default)]
    pub map: Option<String>,
    /// The forecast's time (`2025-03-20T06:00` or the log's format);
    /// the minute after the log's last row when empty.
    #[serde(default)]
    pub at: Option<String>,
    /// Hours ahead (24).
    #[serde(default)]
    pub hours: Option<u32>,
    /// Replications (500).
    #[serde(default)]
    pub replications: Option<u64>,
    /// The seed (the scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Whether to backtest (yes).
    #[serde(default)]
    pub backtest: Option<bool>,
    /// The backtest's range `FROM..TO` (the default above when empty).
    #[serde(default)]
    pub range: Option<String>,
    /// Between cuts (`6h`).
    #[serde(default)]
    pub every: Option<String>,
}

fn usage(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
}

fn failed(ws: &Workspace, e: ForecastError) -> ApiError {
    let status = match e {
        ForecastError::Run(_) | ForecastError::Threads(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, ws.relative(&e.to_string()))
}

/// The log `name` read with the map `map`.
fn read_log(ws: &Workspace, name: &str, map: Option<&str>) -> Result<(Log, log::Layout), ApiError> {
    let path = ws.resolve_log(name)?;
    if !path.exists() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no log `{name}` in the workspace"),
        ));
    }
    let map = match map.filter(|m| !m.is_empty()) {
        Some(m) => Some(ws.resolve(m)?),
        None => None,
    };
    let layout =
        crate::calibrate::layout(map.as_deref()).map_err(|e| usage(ws.relative(&e.to_string())))?;
    let log = log::read(&path, &layout).map_err(|e| usage(ws.relative(&e.to_string())))?;
    Ok((log, layout))
}

/// The default forecast time: the minute (the log's resolution) after
/// the log's last row.
pub fn default_at(log: &Log) -> i64 {
    after(log.end(), log.resolution_s)
}

/// The time one `resolution` after `last`.
fn after(last: i64, resolution: i64) -> i64 {
    last + resolution.max(1)
}

/// The default backtest span (see the module's documentation) of a log
/// whose first row is at `start`, for a forecast at `at`, if the log
/// holds one cut.
pub fn default_span(start: i64, at: i64, hours: u32) -> Option<Span> {
    let every = 6 * HOUR;
    let ceil = |t: i64| t.div_euclid(HOUR) * HOUR + if t.rem_euclid(HOUR) == 0 { 0 } else { HOUR };
    let to = (at - i64::from(hours) * HOUR).div_euclid(HOUR) * HOUR;
    let earliest = ceil(start + 1) + every;
    let from = (to - 7 * DAY).max(earliest);
    let from = to - (to - from).div_euclid(every) * every;
    (from <= to && from >= earliest).then_some(Span { from, to, every })
}

/// A time the user typed, in ISO form or the log's own.
fn when(text: &str, layout: &log::Layout) -> Result<i64, ApiError> {
    log::time::TimeFormat::Iso
        .parse(text.trim())
        .or_else(|| layout.time.parse(text.trim()))
        .ok_or_else(|| {
            usage(format!(
                "`{text}` is not a date-time: expected one like `2025-03-20T06:00` ({})",
                layout.time.expected()
            ))
        })
}

/// The scenario `name` with its `start` on the date of `at`.
fn load(ws: &Workspace, name: &str, text: &str, at: i64) -> Result<Scenario, ForecastError> {
    let path = ws
        .resolve(name)
        .map_err(|e| ForecastError::Usage(e.to_string()))?;
    let set = start_override(at)?;
    scenario::parse_within_with(text, &path, ws.root(), &[set])
        .map_err(|e| ForecastError::Scenario(ws.relative_error(e).to_string()))
}

/// The forecast and backtest of `request`, as the API answers them.
fn answer(ws: &Workspace, request: &NowRequest) -> Result<serde_json::Value, ApiError> {
    let r = request.replications.unwrap_or(500);
    limits::replications(r).map_err(|e| usage(format!("invalid replications `{r}`: {e}")))?;
    if r > MAX_PAGE_REPLICATIONS {
        return Err(usage(format!(
            "at most {MAX_PAGE_REPLICATIONS} replications on this page; use `portsim forecast -r {r}` for more"
        )));
    }
    let hours = request.hours.unwrap_or(24);
    if hours == 0 || hours > MAX_HOURS {
        return Err(usage(format!(
            "hours must be 1 to {MAX_HOURS}, not {hours}"
        )));
    }
    let text = ws.read(&request.scenario)?;
    let (log, layout) = read_log(ws, &request.log, request.map.as_deref())?;
    let at = match request.at.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(a) => when(a, &layout)?,
        None => default_at(&log),
    };
    let first = load(ws, &request.scenario, &text, at).map_err(|e| failed(ws, e))?;
    let options = Options {
        at,
        hours,
        replications: r,
        seed: request.seed.unwrap_or(first.seed),
        threads: None,
        limits: Limits::default(),
    };
    let _turn = one_at_a_time();
    let f = forecast(&first, &log, &options, &|| {}).map_err(|e| failed(ws, e))?;
    let mut ids = Ids::default();
    let mut html_text = report::html::forecast_body(&f, &mut ids).into_string();
    let mut backtest_json = serde_json::Value::Null;
    let mut note = String::new();
    if request.backtest.unwrap_or(true) {
        let span = match request.range.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(range) => {
                let Some((a, b)) = range.split_once("..") else {
                    return Err(usage(format!(
                        "`{range}` is not a range: expected FROM..TO, like `2025-03-03T00:00..2025-03-20T00:00`"
                    )));
                };
                let every = request.every.as_deref().unwrap_or("6h");
                let every = scenario::parse_duration(every)
                    .map_err(|e| usage(format!("invalid interval `{every}`: {e}")))?;
                Some(Span {
                    from: when(a, &layout)?,
                    to: when(b, &layout)?,
                    every: (every / crate::engine::time::SECOND) as i64,
                })
            }
            None => default_span(log.start(), at, hours),
        };
        match span {
            Some(span) => {
                let b = backtest::backtest(
                    &|cut| load(ws, &request.scenario, &text, cut),
                    &log,
                    span,
                    &options,
                    &|| {},
                )
                .map_err(|e| failed(ws, e))?;
                html_text.push_str(&report::html::backtest_body(&b).into_string());
                backtest_json = report::backtest_json(&b);
            }
            None => {
                note = "the log is too short for a backtest before the forecast's time".to_owned();
            }
        }
    }
    Ok(json!({
        "at": show(at),
        "last_row": show(log.end()),
        "forecast": report::json(&f),
        "backtest": backtest_json,
        "note": note,
        "html": html_text,
    }))
}

/// `POST /api/now`.
pub async fn run(
    axum::extract::State(app): Shared,
    body: Result<Json<NowRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(request) = body?;
    let value = blocking(move || answer(&app.workspace, &request)).await??;
    Ok(Json(value).into_response())
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    scenario: Option<String>,
    log: Option<String>,
    map: Option<String>,
}

/// What the page says about the chosen log: its last row and the
/// default time, or why it cannot be read.
fn log_line(ws: &Workspace, name: &str, map: Option<&str>) -> (String, Option<String>) {
    match read_log(ws, name, map) {
        Ok((log, _)) => {
            let at = default_at(&log);
            (
                format!(
                    "The log's last row is at {}; by default the forecast starts at {} (rows before it are used).",
                    show(log.end()),
                    show(at)
                ),
                Some(show(at)),
            )
        }
        Err(e) => (format!("The log cannot be read: {}", e.message), None),
    }
}

/// `GET /now`.
pub(super) async fn page(
    axum::extract::State(app): Shared,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let html_text = blocking(move || {
        let ws = &app.workspace;
        let entries = ws.list();
        let (logs, maps) = names(&ws.logs(), &entries);
        let scenarios: Vec<String> = entries
            .iter()
            .filter(|e| e.valid)
            .map(|e| e.name.clone())
            .collect();
        let chosen_log = q.log.clone().or_else(|| logs.first().cloned());
        let (line, at) = match &chosen_log {
            Some(l) => log_line(ws, l, q.map.as_deref()),
            None => ("No log in the workspace yet: upload one on the workspace page.".to_owned(), None),
        };
        let body = html! {
            (page::header("portsim now", "The next hours from the port's log", html! {
                p.meta { "As " code { "portsim forecast SCENARIO --log LOG --at T --hours H -r R" } " and " code { "--backtest FROM..TO --every 6h" } " (docs/forecast.md)." }
            }))
            form.job #now {
                label { "Scenario" (select("scenario", &scenarios, q.scenario.as_deref(), None)) }
                label { "Log" (select("log", &logs, chosen_log.as_deref(), None)) }
                label { "Map" (select("map", &maps, q.map.as_deref(), Some("none (plain layout)"))) }
                label { "At" input #at placeholder=(at.as_deref().unwrap_or("2025-03-20T06:00")) value=(at.as_deref().unwrap_or("")); }
                label { "Hours" input #hours type="number" min="1" max=(MAX_HOURS) value="24"; }
                label { "Replications" input #replications type="number" min="1" max=(MAX_PAGE_REPLICATIONS) value="500"; }
                label.check { input #backtest type="checkbox" checked; " backtest" }
                label { "Backtest range" input #range placeholder="last 7 days, every 6 h"; }
                button type="submit" { "Forecast" }
                span #now-status {}
            }
            p #log-line { (line) }
            div #now-error .error hidden {}
            div #now-result hidden {}
            script src="/static/logs.js" defer {}
        };
        shell("Now", body)
    })
    .await?;
    Ok(Html(html_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_backtest_ends_where_the_log_still_holds_its_hours() {
        // Rows from day 0 00:19 to day 10 23:57, to the minute.
        let (start, last) = (19 * 60, 10 * DAY + 23 * HOUR + 57 * 60);
        let at = after(last, 60);
        assert_eq!(at, 10 * DAY + 23 * HOUR + 58 * 60);
        let span = default_span(start, at, 24).expect("a span");
        // The last cut leaves 24 h of the log after it, on a whole hour;
        // the first is 7 days before it, at the same hour.
        assert_eq!(span.to, 9 * DAY + 23 * HOUR);
        assert_eq!(span.every, 6 * HOUR);
        assert_eq!(span.to - span.from, 7 * DAY);
        // A log of four days: the cuts start 6 h after its first whole
        // hour, on the grid that ends at the last cut.
        let span = default_span(19 * 60, after(4 * DAY, 60), 24).expect("a span");
        assert_eq!(span.to, 3 * DAY);
        assert_eq!(span.from, 12 * HOUR);
        // A log of one day holds no cut with 24 h after it.
        assert!(default_span(0, after(DAY, 60), 24).is_none());
    }
}
