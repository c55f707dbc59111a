//! One stage of the calibration page: the observed distribution of its
//! service times (the Kaplan–Meier curve, which counts the services still
//! running when the log closed as "at least this long") against every
//! fitted candidate, a QQ plot of the chosen one, the candidate table and
//! the counts behind it.
//!
//! Curves are drawn from at most a few hundred points each, whatever the
//! number of services, so a page stays small for a large log.

use maud::{Markup, html};

use crate::calibrate::StageCalibration;
use crate::calibrate::fit::choose::P_FITS;
use crate::calibrate::fit::km::Curve;
use crate::calibrate::fit::{Candidate, Family, Fitted, ServiceFit};
use crate::calibrate::load::StageLoad;
use crate::report::format::{duration, duration_unit, number};
use crate::report::html::page::{Ids, figure};
use crate::report::svg::{Axis, Plot, Swatch};

/// Most QQ points drawn per stage.
pub const QQ_POINTS: usize = 200;
/// Points each candidate's CDF is drawn through.
const GRID: usize = 200;
/// Above this many jumps the Kaplan–Meier curve is drawn on a grid.
const MAX_STEPS: usize = 400;
/// Style of the observed curve (grey), apart from the candidates'.
const OBSERVED: usize = 4;

/// The parameters of a candidate in words (seconds).
pub fn parameters(f: &Fitted) -> String {
    match f {
        Fitted::Exponential { mean_s } => format!("mean {}", duration(*mean_s)),
        Fitted::Gamma { mean_s, sd_s } | Fitted::Lognormal { mean_s, sd_s } => {
            format!("mean {}, sd {}", duration(*mean_s), duration(*sd_s))
        }
        Fitted::Erlang { k, mean_s } => format!("k = {k}, mean {}", duration(*mean_s)),
        Fitted::Deterministic { value_s } => format!("value {}", duration(*value_s)),
        Fitted::Empirical { values_s, .. } => format!("{} values", values_s.len()),
    }
}

/// Whether a candidate fits, in words.
pub fn fits(c: &Candidate) -> &'static str {
    match c.gof_p {
        Some(p) if p >= P_FITS => "fits",
        Some(_) => "does not fit",
        None => "not tested",
    }
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".to_owned(),
        Some(p) => number(p, 3),
        None => "n/a".to_owned(),
    }
}

/// The candidate's label in legends: its family, `k` for Erlang.
fn label(c: &Candidate) -> String {
    match c.fitted {
        Fitted::Erlang { k, .. } => format!("erlang (k = {k})"),
        ref f => f.family().name().to_owned(),
    }
}

/// The right end of the time axis: the longest time seen, or the chosen
/// law's 99th percentile if longer.
fn horizon(s: &StageCalibration) -> f64 {
    let q = s.service.chosen().fitted.quantile(0.99);
    let last = if s.curve.last.is_finite() {
        s.curve.last
    } else {
        0.0
    };
    let hi = if q.is_finite() { last.max(q) } else { last };
    if hi > 0.0 { hi } else { 1.0 }
}

/// The curve's CDF as a step line in units of `unit` seconds.
fn steps(curve: &Curve, hi: f64, unit: f64) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 0.0)];
    if curve.times.len() <= MAX_STEPS {
        let mut before = 0.0;
        for (&t, &s) in curve.times.iter().zip(&curve.survival) {
            out.push((t / unit, before));
            before = 1.0 - s;
            out.push((t / unit, before));
        }
        out.push((hi / unit, before));
    } else {
        for i in 1..=2 * MAX_STEPS {
            let x = hi * i as f64 / (2 * MAX_STEPS) as f64;
            out.push((x / unit, curve.cdf(x)));
        }
    }
    out
}

/// The observed distribution against every candidate's CDF.
fn cdf_chart(ids: &mut Ids, s: &StageCalibration, hi: f64, unit: (f64, &str)) -> String {
    let x = Axis::nice(format!("service time ({})", unit.1), 0.0, hi / unit.0, 8);
    let y = Axis::new(
        "share of services done",
        0.0,
        1.0,
        (0..=5)
            .map(|k| (f64::from(k) / 5.0, format!("{}%", k * 20)))
            .collect(),
    );
    let mut plot = Plot::new(
        &ids.fresh(),
        &format!(
            "Service times at {}: observed against the candidates",
            s.name
        ),
        (520.0, 340.0),
        x,
        y,
    );
    plot.curve(steps(&s.curve, hi, unit.0), OBSERVED);
    plot.legend(Swatch::Line(OBSERVED), "observed (Kaplan–Meier)");
    for (i, c) in s.service.candidates.iter().enumerate() {
        let style = i % 4;
        let points: Vec<(f64, f64)> = (0..=GRID)
            .map(|k| {
                let t = hi * k as f64 / GRID as f64;
                (t / unit.0, c.fitted.cdf(t))
            })
            .collect();
        plot.curve(points, style);
        let chosen = if i == s.service.chosen {
            " (chosen)"
        } else {
            ""
        };
        plot.legend(Swatch::Line(style), format!("{}{chosen}", label(c)));
    }
    plot.render()
}

/// The QQ plot of the chosen candidate.
fn qq_chart(ids: &mut Ids, s: &StageCalibration, hi: f64, unit: (f64, &str)) -> String {
    let chosen = s.service.chosen();
    let points: Vec<(f64, f64)> = s
        .curve
        .qq(&chosen.fitted, QQ_POINTS)
        .iter()
        .map(|q| (q.model_s / unit.0, q.observed_s / unit.0))
        .collect();
    let top = points
        .iter()
        .map(|p| p.0.max(p.1))
        .fold(hi / unit.0, f64::max);
    let x = Axis::nice(
        format!("{} quantile ({})", label(chosen), unit.1),
        0.0,
        top,
        6,
    );
    let y = Axis::nice(format!("observed ({})", unit.1), 0.0, top, 6);
    let end = x.hi.max(y.hi);
    let mut plot = Plot::new(
        &ids.fresh(),
        &format!("QQ plot of the chosen law at {}", s.name),
        (520.0, 340.0),
        x,
        y,
    );
    plot.curve(vec![(0.0, 0.0), (end, end)], OBSERVED);
    plot.legend(Swatch::Line(OBSERVED), "y = x (a perfect fit)");
    plot.dots(points, 0);
    plot.legend(Swatch::Line(0), "observed against fitted quantiles");
    plot.render()
}

/// The candidate table's rows.
fn rows(f: &ServiceFit) -> Vec<Vec<String>> {
    f.candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                if i == f.chosen {
                    format!("{} (chosen)", label(c))
                } else {
                    label(c)
                },
                parameters(&c.fitted),
                number(c.mean_s, 1),
                number(c.sd_s, 1),
                number(c.aic, 1),
                number(c.bic, 1),
                p_text(c.gof_p),
                fits(c).to_owned(),
            ]
        })
        .collect()
}

/// What a planner should conclude about the stage's service times.
fn headline(s: &StageCalibration) -> String {
    let f = &s.service;
    let c = f.chosen();
    let why = match c.fitted.family() {
        Family::Empirical => {
            "no family fits, so the observed distribution itself is used".to_owned()
        }
        Family::Deterministic => "(almost) every service took the same time".to_owned(),
        _ => match c.gof_p {
            Some(p) => format!(
                "the best-ranked family (by AIC) that fits (goodness of fit p = {})",
                p_text(Some(p))
            ),
            None => "the best-ranked family by AIC (not tested)".to_owned(),
        },
    };
    format!(
        "Services at {} take {} on average (sd {}): {} is chosen, {why}.",
        s.name,
        duration(c.mean_s),
        duration(c.sd_s),
        label(c),
    )
}

/// Where the stage sits in the port: its share of trucks, lanes, hours
/// and rework, as the scenario writes them.
fn facts(s: &StageCalibration) -> String {
    let share = &s.routing.share;
    let lanes = match (&s.lanes.shifts, s.lanes.seen) {
        (None, None) => format!("{} lane(s)", s.lanes.max),
        (None, Some(seen)) => format!("{} lane(s) ({seen} seen in the lane column)", s.lanes.max),
        (Some(rows), _) => format!(
            "lanes by a shift table of {} row(s), {} at the peak",
            rows.len(),
            s.lanes.max
        ),
    };
    let open = super::super::hours_words(&s.hours, " on ", ", ");
    let rework = s.routing.rework.as_ref().map_or_else(String::new, |r| {
        format!(
            "; {}% of its trucks go back to {}",
            number(100.0 * r.probability.mean, 1),
            r.to_name
        )
    });
    format!(
        "Visited by {}% of trucks (95% interval {}% to {}%), {} services started in the window; {lanes}; open {open}{rework}.",
        number(100.0 * share.mean, 1),
        number(100.0 * share.ci95[0], 1),
        number(100.0 * share.ci95[1], 1),
        s.visits
    )
}

/// Whether the stage keeps up: its load ρ in words.
fn load_words(load: Option<&StageLoad>) -> String {
    let Some(l) = load else {
        return String::new();
    };
    let rho = l.rho();
    if !rho.is_finite() {
        return "It has trucks to serve but no open lane-hours: it cannot keep up.".to_owned();
    }
    format!(
        "Its load is ρ = {} ({} services a week needed, {} possible in its open hours){}.",
        number(rho, 2),
        number(l.demand_per_week, 0),
        number(l.capacity_per_week, 0),
        if l.overloaded() {
            ": it cannot keep up, and its queue grows for as long as the log runs"
        } else {
            ""
        }
    )
}

/// The stage's part of the page.
pub fn section(ids: &mut Ids, s: &StageCalibration, load: Option<&StageLoad>) -> Markup {
    let f = &s.service;
    let hi = horizon(s);
    let unit = duration_unit(f.chosen().mean_s.max(hi / 4.0));
    let has_curve = !s.curve.times.is_empty();
    let head = [
        "dist",
        "parameters",
        "mean (s)",
        "sd (s)",
        "AIC",
        "BIC",
        "GoF p",
        "verdict",
    ];
    html! {
        section.stage id={ "stage-" (s.name) } {
            h3 { "Stage " code { (s.name) } }
            p.lead { (headline(s)) }
            p { (facts(s)) " " (load_words(load)) }
            @if has_curve {
                div.grid2 {
                    (figure("Observed against the candidates", cdf_chart(ids, s, hi, unit), None))
                    (figure("QQ plot of the chosen law", qq_chart(ids, s, hi, unit), Some(html! {
                        "Points near the line: the chosen law's quantiles match the observed ones."
                    })))
                }
            } @else {
                p.note { "No service at this stage both started and ended in the log: nothing to draw." }
            }
            (crate::report::html::page::table(&head, &rows(f), 2))
            p.counts {
                (format!(
                    "{} services observed, {} still running when the log closed (censored), {} with times rounded to the log's resolution.",
                    f.n, f.censored, s.rounded
                ))
            }
            @for w in &f.warnings { p.note { "Warning: " (w) } }
        }
    }
}
