//! Calibration: from a port's own truck event log to a scenario that is
//! shown to explain the port.
//!
//! A real port does not have to guess its inputs: its gate and customs
//! systems log every truck's milestones. This layer reads such a log,
//! reconstructs each truck's path through the port, estimates what a
//! scenario needs (arrivals, routing, lanes, opening hours, service
//! times), writes the calibrated scenario and sets a simulation of it
//! beside the log before anyone trusts it.
//!
//! The steps, one module each: [`log`] (streamed CSV, plain or mapped
//! layout, located mistakes) → [`reconstruct`] (trips, visits, what was
//! lost) → [`arrivals`], [`routing`], [`hours`], [`lanes`], [`services`]
//! (the estimates, each with its interval and count; [`fit`] fits the
//! service times) → [`scenario_out`] (the commented TOML, checked by
//! loading it) → [`validate`] (the scenario run over the log's calendar).
//! [`estimate`] does all but the validation, [`calibrate`] all of it; both
//! give one [`Calibration`], the typed value every report renders and
//! every test reads. The forecasting layer reuses [`log`] and
//! [`reconstruct`].
//!
//! It sits above `experiment` (it runs the calibrated scenario to
//! validate it) and below `report` (which renders its results); it
//! produces data only.

pub mod arrivals;
pub mod fit;
pub mod hours;
pub mod interval;
pub mod lanes;
pub mod load;
pub mod log;
pub mod reconstruct;
pub mod routing;
pub mod scenario_out;
pub mod services;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use arrivals::Arrivals;
use fit::ServiceFit;
use hours::Hours;
use interval::Estimated;
use lanes::Lanes;
use log::time::DAY;
use log::{Layout, LogError};
use routing::StageRouting;
use validate::{ObservedMetrics, Validation};

use crate::experiment::run::{RunError, RunOptions};
use crate::model::Limits;
use crate::scenario::Scenario;

/// Why calibration failed.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The log or the map is wrong (exit 2).
    #[error("{0}")]
    Log(#[from] LogError),
    /// The calibrated scenario did not load: a defect of portsim.
    #[error("error: internal: the calibrated scenario does not load:\n{0}")]
    Scenario(String),
    /// The validation run failed.
    #[error("error: the validation run failed: {0}")]
    Run(#[from] RunError),
}

/// The log's window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// First row, seconds.
    pub start: i64,
    /// Last row, seconds.
    pub end: i64,
    /// Its length, days.
    pub days: f64,
    /// Time resolution, seconds (60 or 1).
    pub resolution_s: i64,
}

/// What the data held and what was used.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows ignored, by reason (`duplicate`, `unknown_code`).
    pub rows_ignored: BTreeMap<&'static str, u64>,
    /// The reconstruction's counts.
    pub counts: reconstruct::Counts,
}

/// A class of trucks.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassCalibration {
    /// Its name in the log.
    pub name: String,
    /// Its share of arrivals.
    pub share: Estimated,
    /// Its arrivals.
    pub arrivals: u64,
}

/// Everything calibrated about one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct StageCalibration {
    /// Its name in the log.
    pub name: String,
    /// Services started in the window.
    pub visits: u64,
    /// Share, per-class shares and rework.
    pub routing: StageRouting,
    /// Lanes.
    pub lanes: Lanes,
    /// Opening hours.
    pub hours: Hours,
    /// The service-time fit.
    pub service: ServiceFit,
    /// The Kaplan–Meier curve of the services the fit used (censoring
    /// counted), for plots of the data against the candidates.
    pub curve: fit::km::Curve,
    /// Of those services, how many entered the fit as times rounded to
    /// the log's resolution.
    pub rounded: u64,
}

/// A calibrated port.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The log.
    pub log: PathBuf,
    /// The map, if any.
    pub map: Option<PathBuf>,
    /// The window.
    pub window: Window,
    /// The data counts.
    pub data: Data,
    /// Arrivals.
    pub arrivals: Arrivals,
    /// Classes (empty without a class column).
    pub classes: Vec<ClassCalibration>,
    /// Stages in visiting order.
    pub stages: Vec<StageCalibration>,
    /// Complete, cleared trips behind the routing.
    pub routed_trips: u64,
    /// What the log shows, for validation.
    pub observed: ObservedMetrics,
    /// The scenario's seed.
    pub seed: u64,
    /// The scenario's replications.
    pub replications: u64,
    /// Each stage's load over a week, in the order of `stages`.
    pub loads: Vec<load::StageLoad>,
    /// When a stage cannot keep up: where the trucks inside at the log's
    /// opening were, per stage `(queued, in_service)`, written as
    /// `[initial]` in place of a warm-up (see [`load`]).
    pub opening: Option<Vec<(u32, u32)>>,
    /// The warm-up written, seconds.
    pub warmup_s: i64,
    /// The horizon written, seconds.
    pub horizon_s: i64,
    /// The calibrated scenario as TOML.
    pub scenario_text: String,
    /// It, loaded.
    pub scenario: Scenario,
    /// The validation, once run.
    pub validation: Option<Validation>,
    /// What a planner should know, in words.
    pub warnings: Vec<String>,
}

impl Calibration {
    /// The name of class id `c`.
    pub fn class_name(&self, c: u16) -> String {
        self.classes
            .get(usize::from(c))
            .map_or_else(|| format!("class {c}"), |k| k.name.clone())
    }
}

/// How to calibrate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Replications written into the scenario and run to validate it.
    pub replications: u64,
    /// The seed.
    pub seed: u64,
    /// Worker threads for the validation (`None`: one per core).
    pub threads: Option<usize>,
    /// The runaway guard of the validation run.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            replications: 20,
            seed: 1,
            threads: None,
            limits: Limits::default(),
        }
    }
}

/// The layout of `map` (the plain layout without one).
pub fn layout(map: Option<&Path>) -> Result<Layout, LogError> {
    match map {
        Some(m) => Layout::read(m).map_err(LogError::Map),
        None => Ok(Layout::plain()),
    }
}

/// Reads the log and estimates everything but the validation.
pub fn estimate(
    path: &Path,
    layout: &Layout,
    options: &Options,
) -> Result<Calibration, CalibrateError> {
    let log = log::read(path, layout)?;
    from_log(&log, layout, options)
}

/// Estimates from a log already read.
pub fn from_log(
    log: &log::Log,
    layout: &Layout,
    options: &Options,
) -> Result<Calibration, CalibrateError> {
    let paths = reconstruct::paths(log);
    let mut warnings = log.warnings();
    let arrivals = arrivals::estimate(&paths);
    let routing = routing::estimate(log, &paths);
    warnings.extend(routing.warnings.iter().cloned());
    let order: Vec<u32> = routing.stages.iter().map(|s| s.stage).collect();
    let mut stages = Vec::with_capacity(order.len());
    for r in &routing.stages {
        let name = log.stages.name(r.stage).to_owned();
        let hours = hours::estimate(&paths, r.stage, &name, log.resolution_s);
        if let Some(w) = &hours.warning {
            warnings.push(w.clone());
        }
        let lanes = lanes::estimate(&paths, r.stage, &hours, log.has_lane, log.resolution_s);
        let data = services::observations(&paths, r.stage, log.resolution_s);
        let service = services::fit(&name, &data, options.seed);
        let curve = fit::km::of(&data);
        let rounded = data
            .iter()
            .filter(|o| matches!(o.obs, fit::Obs::Rounded { .. }))
            .count() as u64;
        warnings.extend(service.warnings.iter().cloned());
        let visits = paths
            .visits
            .iter()
            .filter(|v| v.stage == r.stage && v.started())
            .count() as u64;
        stages.push(StageCalibration {
            name,
            visits,
            routing: r.clone(),
            lanes,
            hours,
            service,
            curve,
            rounded,
        });
    }
    let classes = classes(log, &paths);
    let observed = validate::observe(&paths, &order);
    if arrivals.dispersion.over_dispersed {
        warnings.push(format!(
            "arrivals per hour vary more than a Poisson process with the fitted profile would (dispersion index {:.2}, p = {:.2e}): trucks come in bunches, which the scenario's Poisson arrivals do not; waits may be underestimated",
            arrivals.dispersion.index, arrivals.dispersion.p_value
        ));
    }
    let window = Window {
        start: paths.start,
        end: paths.end,
        days: (paths.end - paths.start) as f64 / DAY as f64,
        resolution_s: log.resolution_s,
    };
    let horizon_s = DAY * ((window.days).round() as i64).max(1);
    let loads = load::loads(&arrivals, &stages);
    let mut opening = None;
    let mut warmup_s = {
        let fill = observed.time_in_port_p95_s.unwrap_or(0.0) * 5.0;
        let weeks = ((fill.max(DAY as f64)) / (7 * DAY) as f64).ceil().max(1.0) as i64;
        weeks * 7 * DAY
    };
    let over: Vec<String> = stages
        .iter()
        .zip(&loads)
        .filter(|(_, l)| l.overloaded())
        .map(|(s, l)| {
            format!(
                "`{}` (ρ = {:.2}: {:.0} services a week needed, {:.0} possible)",
                s.name,
                l.rho(),
                l.demand_per_week,
                l.capacity_per_week
            )
        })
        .collect();
    if !over.is_empty() {
        warnings.push(format!(
            "{} cannot keep up with {} trucks: the queue grows for as long as the log runs ({} trucks inside at its opening, {} at its close), so the port has no steady state to warm up to; the scenario starts from the trucks the log found inside (`[initial]`, no warm-up) instead",
            over.join(" and "),
            if over.len() == 1 { "its" } else { "their" },
            paths.counts.inside_at_start,
            paths.counts.inside_at_end,
        ));
        opening = Some(load::at_opening(&paths, &order));
        warmup_s = 0;
    }
    let mut rows_ignored = BTreeMap::new();
    rows_ignored.insert("duplicate", paths.counts.duplicates);
    if log.no_show_rows > 0 {
        rows_ignored.insert("no_show", log.no_show_rows);
    }
    if layout.columns.code.is_some() {
        rows_ignored.insert("unknown_code", log.unknown_code_rows);
    }
    let mut cal = Calibration {
        log: log.path.clone(),
        map: layout.map.clone(),
        window,
        data: Data {
            rows_read: log.rows_read,
            rows_ignored,
            counts: paths.counts,
        },
        arrivals,
        classes,
        stages,
        routed_trips: routing.trips,
        observed,
        seed: options.seed,
        replications: options.replications,
        loads,
        opening,
        warmup_s,
        horizon_s,
        scenario_text: String::new(),
        scenario: placeholder_scenario()?,
        validation: None,
        warnings,
    };
    cal.scenario_text = scenario_out::write(&cal);
    cal.scenario = crate::scenario::parse(&cal.scenario_text, Path::new("calibrated.toml"))
        .map_err(|e| {
            CalibrateError::Scenario(format!("{e}\n--- the text:\n{}", cal.scenario_text))
        })?;
    Ok(cal)
}

/// A scenario to hold the place until the calibrated one is loaded.
fn placeholder_scenario() -> Result<Scenario, CalibrateError> {
    let text = "name = \"placeholder\"\nhorizon = \"1d\"\n[demand]\nrate = \"1/d\"\n[[stages]]\nname = \"s\"\nlanes = 1\nservice = \"1m\"\n";
    crate::scenario::parse(text, Path::new("placeholder.toml"))
        .map_err(|e| CalibrateError::Scenario(e.to_string()))
}

fn classes(log: &log::Log, paths: &reconstruct::Paths) -> Vec<ClassCalibration> {
    if !log.has_class {
        return Vec::new();
    }
    let mut by_class = vec![0u64; log.classes.len()];
    let mut n = 0;
    for t in paths.trips.iter().filter(|t| !t.inside_at_start) {
        if let Some(c) = by_class.get_mut(usize::from(t.class)) {
            *c += 1;
            n += 1;
        }
    }
    log.classes
        .iter()
        .zip(by_class)
        .map(|(name, k)| ClassCalibration {
            name: name.to_owned(),
            share: Estimated::proportion(k, n),
            arrivals: k,
        })
        .collect()
}

/// Reads, estimates and validates: the whole calibration. `on_done` is
/// called as each validation replication finishes; `cancel` stops it.
pub fn calibrate(
    path: &Path,
    map: Option<&Path>,
    options: &Options,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<Calibration, CalibrateError> {
    let layout = layout(map)?;
    let mut cal = estimate(path, &layout, options)?;
    validate_in_place(&mut cal, options, cancel, on_done)?;
    Ok(cal)
}

/// Runs the validation of `cal` and keeps it there.
pub fn validate_in_place(
    cal: &mut Calibration,
    options: &Options,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<(), CalibrateError> {
    let run = RunOptions {
        replications: options.replications,
        threads: options.threads,
        limits: options.limits,
        keep_reps: false,
    };
    let (v, _) = validate::validate(&cal.scenario, &cal.observed, &run, cancel, on_done)?;
    cal.validation = Some(v);
    Ok(())
}
