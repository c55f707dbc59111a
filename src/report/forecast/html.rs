//! A forecast, or a backtest, as a self-contained HTML page: the next
//! hours as lines with their 90 % bands (trucks in port, arrivals and
//! departures, the time in port of each hour's arrivals), the state it
//! starts from, and for a backtest its scores beside the naive forecast's.
//! Built from the shared page blocks (`report::html::page`) and charts
//! (`report::svg`); no script, no URL.

use maud::html;

use super::{INTERVAL, table};
use crate::calibrate::log::time::show;
use crate::forecast::Forecast;
use crate::forecast::backtest::Backtest;
use crate::forecast::bands::Band;
use crate::report::format::number;
use crate::report::html::page::{self, Ids};
use crate::report::svg::{Axis, Plot, Swatch};

/// A chart of `series` (name, bands by hour) against hours ahead.
fn chart(ids: &mut Ids, title: &str, unit: &str, series: &[(&str, Vec<Band>)]) -> String {
    let hours = series.first().map_or(0, |s| s.1.len());
    let hi = series
        .iter()
        .flat_map(|s| s.1.iter().map(|b| b.p95))
        .filter(|x| x.is_finite())
        .fold(1.0_f64, f64::max);
    let x = Axis::nice("hours ahead", 0.0, hours.max(1) as f64, 8);
    let y = Axis::nice(unit, 0.0, hi, 6);
    let mut plot = Plot::new(&ids.fresh(), title, (760.0, 320.0), x, y);
    for (style, (name, bands)) in series.iter().enumerate() {
        let points: Vec<(f64, f64, f64)> = bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.mean.is_finite())
            .map(|(k, b)| (k as f64 + 0.5, b.p5, b.p95))
            .collect();
        let line: Vec<(f64, f64)> = bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.mean.is_finite())
            .map(|(k, b)| (k as f64 + 0.5, b.mean))
            .collect();
        plot.band(points, style);
        plot.line(line, style);
        plot.legend(Swatch::Line(style), format!("{name} (mean)"));
        plot.legend(Swatch::Band(style), format!("{name} (90% interval)"));
    }
    plot.render()
}

/// The forecast's page.
pub fn forecast(f: &Forecast) -> String {
    let mut ids = Ids::default();
    let body = forecast_body(f, &mut ids);
    page::document(&format!("Forecast: {}", f.scenario), "", body)
}

/// The forecast's page without its document: the state, the charts and
/// the timetable (the web app's now page shows it in its own).
pub fn forecast_body(f: &Forecast, ids: &mut Ids) -> maud::Markup {
    let col = |g: &dyn Fn(&crate::forecast::run::HourBands) -> Band| -> Vec<Band> {
        f.hours.iter().map(g).collect()
    };
    let tip: Vec<Band> = col(&|h| h.time_in_port_of_arrivals_s)
        .into_iter()
        .map(|b| Band {
            mean: b.mean / 60.0,
            p5: b.p5 / 60.0,
            p95: b.p95 / 60.0,
        })
        .collect();
    let s = &f.state;
    html! {
        (page::header("portsim forecast", &format!("{} from {}", f.scenario, show(s.at)), html! {
            p { (format!("{} replications, seed {}. {INTERVAL}.", f.replications, f.seed)) }
        }))
        (page::section("The port now", "As the log shows it from the rows before the forecast's time."))
        p { (format!("{} truck(s) in port, {} waiting for their first stage; {} taken as gone (unseen far longer than their state lasts); {} finished without a depart row.", s.in_port, s.road, s.gone.total(), s.finished)) }
        (page::table(&["stage", "queued", "in service"], &s.stages.iter().map(|st| vec![st.name.clone(), st.queued.to_string(), st.in_service.to_string()]).collect::<Vec<_>>(), 1))
        (page::section("The next hours", "Each line is the mean across replications, each band where 90% of them fell."))
        (page::figure("Trucks in port at each hour's end", chart(ids, "Trucks in port", "trucks", &[("in port", col(&|h| h.in_port))]), None))
        (page::figure("Arrivals and departures per hour", chart(ids, "Arrivals and departures", "trucks per hour", &[("arrivals", col(&|h| h.arrivals)), ("departures", col(&|h| h.departures))]), None))
        (page::figure("Time in port of each hour's arrivals", chart(ids, "Time in port of arrivals", "minutes", &[("time in port", tip)]), None))
        (page::section("Timetable", ""))
        pre { (table(f)) }
    }
}

/// The backtest's page.
pub fn backtest(b: &Backtest) -> String {
    page::document("Forecast backtest", "", backtest_body(b))
}

/// The backtest's page without its document.
pub fn backtest_body(b: &Backtest) -> maud::Markup {
    let rows: Vec<Vec<String>> = b
        .quantities
        .iter()
        .map(|q| {
            let first = q.by_hour.first().copied().unwrap_or_default();
            let pct = |x: f64| {
                if x.is_nan() {
                    "n/a".to_owned()
                } else {
                    format!("{}%", number(100.0 * x, 0))
                }
            };
            let v = |x: f64| {
                if x.is_nan() {
                    "n/a".to_owned()
                } else {
                    number(x, 2)
                }
            };
            vec![
                q.key.clone(),
                v(first.mae),
                v(first.naive_mae),
                v(q.overall.mae),
                v(q.overall.naive_mae),
                pct(q.overall.coverage),
                q.overall.n.to_string(),
            ]
        })
        .collect();
    html! {
        (page::header("portsim forecast --backtest", "How far can the forecast be trusted?", html! {
            p { (format!("{} cut(s) from {} to {}, {} hours ahead, {} replications each. {INTERVAL}; naive: the log's own mean for that hour of the week before the cut.",
                b.cuts.len(),
                b.cuts.first().map_or_else(String::new, |&c| show(c)),
                b.cuts.last().map_or_else(String::new, |&c| show(c)),
                b.hours, b.replications)) }
        }))
        (page::section("Scores", "Mean absolute error (MAE) of the forecast's mean and of the naive forecast, in the first hour and over all hours ahead; coverage of the 90% intervals over all hours (times in seconds)."))
        (page::table(&["quantity", "MAE, hour 1", "naive MAE, hour 1", "MAE", "naive MAE", "coverage", "hours scored"], &rows, 1))
        (page::section("By hours ahead", ""))
        pre { (super::backtest_table(b)) }
    }
}
