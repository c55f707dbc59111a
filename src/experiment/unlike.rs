//! What two compared scenarios differ in besides their ports, and which
//! metrics that leaves without a fair comparison.
//!
//! A comparison pairs replication *i* of two scenarios, which is only
//! honest for metrics that mean the same on both sides:
//!
//! * **horizons differ**: totals over the measured window (trucks offered,
//!   arrived, cleared, turned away, no-shows, and the states at its end)
//!   grow with its length, so a 28-day run against a 14-day one would show
//!   a change of about −50 % that says nothing about the ports. They are
//!   not compared (shown as n/a with the reason); rates per day and
//!   figures per truck still are;
//! * **one side has no costs** (no fee, no hourly, overnight or per-truck
//!   cost): its cost per truck is not zero but unknown, so that side shows
//!   n/a and cost is not compared;
//! * **both sides have costs in different currencies**: there is no rate
//!   to convert them, so the comparison is refused (exit 2).
//!
//! Whatever the differences, the report prints one line listing them (or
//! saying there are none), so a reader knows what was held equal.

use super::compare::Change;
use super::estimate::Estimate;
use crate::engine::time::DAY;
use crate::scenario::Scenario;

/// Metrics that are totals over the measured window (or states at its
/// end), which depend on its length.
pub const TOTALS: [&str; 9] = [
    "trucks_offered",
    "trucks_arrived",
    "trucks_cleared",
    "trucks_turned_away",
    "backlog",
    "booked_ahead",
    "no_shows",
    "trucks_diverted",
    "trucks_reneged",
];

/// Two sides whose costs cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "cannot compare costs in {baseline} (the baseline) with costs in {variant} (the variant): there is no exchange rate; give both scenarios the same `currency` in [costs]"
)]
pub struct CurrencyMismatch {
    /// The baseline's currency.
    pub baseline: String,
    /// The variant's currency.
    pub variant: String,
}

/// What differs between the two sides of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Differences {
    /// The measured periods, in days, when they differ.
    pub horizons: Option<(String, String)>,
    /// The warm-ups, in days, when they differ.
    pub warmups: Option<(String, String)>,
    /// Which side has costs, when only one has: `Some(true)` for the
    /// baseline only, `Some(false)` for the variant only.
    pub costs_only_in_baseline: Option<bool>,
}

/// Whether a scenario has any cost at all.
pub fn has_costs(s: &Scenario) -> bool {
    let c = &s.costs;
    c.per_hour > 0.0
        || c.overnight > 0.0
        || c.per_truck > 0.0
        || s.stages.iter().any(|st| st.fee > 0.0)
}

fn days(span: u64) -> String {
    let d = span as f64 / DAY as f64;
    let text = format!("{d:.1}");
    let text = text.trim_end_matches(".0");
    if text == "1" {
        "1 day".to_owned()
    } else {
        format!("{text} days")
    }
}

impl Differences {
    /// The differences between `baseline` and `variant`, or why they
    /// cannot be compared at all.
    pub fn between(baseline: &Scenario, variant: &Scenario) -> Result<Self, CurrencyMismatch> {
        let (bc, vc) = (has_costs(baseline), has_costs(variant));
        if bc && vc && baseline.costs.currency != variant.costs.currency {
            return Err(CurrencyMismatch {
                baseline: baseline.costs.currency.clone(),
                variant: variant.costs.currency.clone(),
            });
        }
        let pair = |a: u64, b: u64| (a != b).then(|| (days(a), days(b)));
        Ok(Differences {
            horizons: pair(baseline.horizon, variant.horizon),
            warmups: pair(baseline.warmup, variant.warmup),
            costs_only_in_baseline: (bc != vc).then_some(bc),
        })
    }

    /// Why `metric` is not compared, if it is not.
    pub fn exclusion(&self, metric: &str) -> Option<String> {
        if let Some((b, v)) = &self.horizons
            && TOTALS.contains(&metric)
        {
            return Some(format!(
                "a total over the measured period, which differs: {b} vs {v}"
            ));
        }
        if metric == "cost_per_truck"
            && let Some(baseline) = self.costs_only_in_baseline
        {
            let other = if baseline { "variant" } else { "baseline" };
            return Some(format!("the {other} has no costs"));
        }
        None
    }

    /// Marks the changes that are not compared: their change becomes n/a
    /// with the reason, and a side without costs shows no cost at all.
    pub fn apply(&self, changes: &mut [Change]) {
        let none = Estimate {
            mean: f64::NAN,
            ci95: None,
            n: 0,
        };
        for c in changes.iter_mut() {
            let Some(reason) = self.exclusion(c.name) else {
                continue;
            };
            if c.name == "cost_per_truck" {
                match self.costs_only_in_baseline {
                    Some(true) => c.variant = none,
                    Some(false) => c.baseline = none,
                    None => {}
                }
            }
            c.change = none;
            c.change_pct = none;
            c.independent_half_width = None;
            c.excluded = Some(reason);
        }
    }

    /// The line every comparison prints: what differs, or that nothing
    /// does, besides the ports themselves.
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some((b, v)) = &self.horizons {
            parts.push(format!("measured period {b} vs {v} (totals not compared)"));
        }
        if let Some((b, v)) = &self.warmups {
            parts.push(format!("warm-up {b} vs {v}"));
        }
        match self.costs_only_in_baseline {
            Some(true) => parts.push("costs only in the baseline (cost not compared)".into()),
            Some(false) => parts.push("costs only in the variant (cost not compared)".into()),
            None => {}
        }
        if parts.is_empty() {
            "differences: none in measured period, warm-up or costs".to_owned()
        } else {
            format!("differences: {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;
    use std::path::Path;

    fn scenario(horizon: &str, costs: &str) -> Scenario {
        let text = format!(
            "name = \"x\"\nhorizon = \"{horizon}\"\n[demand]\nrate = \"10/h\"\n[[stages]]\nname = \"a\"\nlanes = 1\nservice = \"1m\"\n{costs}"
        );
        parse(&text, Path::new("x.toml")).expect("scenario")
    }

    #[test]
    fn like_sides_differ_in_nothing() {
        let a = scenario("2d", "");
        let d = Differences::between(&a, &a).expect("comparable");
        assert_eq!(
            d.line(),
            "differences: none in measured period, warm-up or costs"
        );
        assert_eq!(d.exclusion("trucks_arrived"), None);
    }

    #[test]
    fn other_horizons_leave_totals_out() {
        let d = Differences::between(&scenario("28d", ""), &scenario("14d", "")).expect("ok");
        assert!(
            d.exclusion("trucks_arrived")
                .is_some_and(|r| r.contains("28 days vs 14 days"))
        );
        assert_eq!(d.exclusion("throughput_per_day"), None);
        assert!(
            d.line().contains("measured period 28 days vs 14 days"),
            "{}",
            d.line()
        );
    }

    #[test]
    fn costs_on_one_side_only_or_in_two_currencies() {
        let usd = "[costs]\ncurrency = \"USD\"\nper_hour = 5";
        let cny = "[costs]\ncurrency = \"CNY\"\nper_hour = 5";
        let e = Differences::between(&scenario("2d", usd), &scenario("2d", cny)).unwrap_err();
        assert!(
            e.to_string().contains("USD") && e.to_string().contains("CNY"),
            "{e}"
        );
        let d = Differences::between(&scenario("2d", usd), &scenario("2d", "")).expect("ok");
        assert_eq!(d.costs_only_in_baseline, Some(true));
        assert_eq!(
            d.exclusion("cost_per_truck").as_deref(),
            Some("the variant has no costs")
        );
        assert!(d.line().contains("costs only in the baseline"));
    }
}
