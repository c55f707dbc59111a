//! The hours the port's gate is closed and the share of arrivals they
//! hold, as data for a plan that stops because its target is unreachable
//! (issue 28 §5): more lanes cannot serve a truck that arrives while the
//! port is closed before it opens, so a target on time in port can be out
//! of reach of any range; the report says so in words.
//!
//! The share is exact for the scenario's weekly pattern: arrivals at the
//! rate of its hour-of-day profile and day-of-week multipliers (the
//! engine's thinning rate, seasons and closures aside), the gate's weekly
//! opening hours, integrated hour by hour over a week.

use crate::engine::time::{DAY, HOUR, Span, WEEK};
use crate::scenario::{Arrivals, Scenario};

/// When the gate is closed, and the arrivals it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosedHours {
    /// The closed ranges of a day as `(from, to)` in ticks since midnight
    /// (a range across midnight has `to < from`), when every day has the
    /// same ones; empty when the days differ.
    pub daily: Vec<(Span, Span)>,
    /// The share of a week's arrivals that fall while the gate is closed.
    pub share: f64,
}

/// The closed hours of `s`'s gate, or `None` when it never closes.
pub fn closed_hours(s: &Scenario) -> Option<ClosedHours> {
    let open = s.port.open.weekly();
    let rate = |at: Span| -> f64 {
        match &s.arrivals {
            Arrivals::Poisson { hourly, daily, .. } => {
                let hour = ((at % DAY) / HOUR) as usize;
                let weekday = ((at / DAY + u64::from(s.start)) % 7) as usize;
                hourly[hour] * daily[weekday]
            }
            Arrivals::Renewal { .. } => 1.0,
        }
    };
    let (mut all, mut closed) = (0.0, 0.0);
    let mut any = false;
    for h in 0..WEEK / HOUR {
        let at = h * HOUR;
        let open_ticks = open.integral(at, at + HOUR).min(u128::from(HOUR)) as f64;
        let shut = 1.0 - open_ticks / HOUR as f64;
        any |= shut > 0.0;
        all += rate(at);
        closed += rate(at) * shut;
    }
    if !any {
        return None;
    }
    let share = if all > 0.0 { closed / all } else { 0.0 };
    let days: Vec<Vec<(Span, Span)>> = (0..7).map(|d| shut_ranges(s, d)).collect();
    let daily = if days.iter().all(|d| *d == days[0]) {
        days[0].clone()
    } else {
        Vec::new()
    };
    Some(ClosedHours { daily, share })
}

/// The closed ranges of day `d` of the run, since its midnight; a range
/// that runs to midnight and one from midnight are joined across it.
fn shut_ranges(s: &Scenario, d: u64) -> Vec<(Span, Span)> {
    let open = s.port.open.weekly();
    let start = d * DAY;
    let end = start + DAY;
    let mut ranges: Vec<(Span, Span)> = Vec::new();
    let mut t = start;
    while t < end {
        let next = open.next_change(t).map_or(end, |n| n.min(end));
        let next = if next <= t { end } else { next };
        if open.value_at(t) == 0 {
            match ranges.last_mut() {
                Some(last) if last.1 == t - start => last.1 = next - start,
                _ => ranges.push((t - start, next - start)),
            }
        }
        t = next;
    }
    if ranges.len() > 1
        && let (Some(&(0, first_end)), Some(&(last_start, DAY))) = (ranges.first(), ranges.last())
    {
        ranges.remove(0);
        if let Some(last) = ranges.last_mut() {
            *last = (last_start, first_end);
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_with;
    use std::path::Path;

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\nhorizon = \"7d\"\n{extra}\n[[stages]]\nname = \"gate\"\nlanes = 1\nservice = \"5m\"\n"
        );
        parse_with(&text, Path::new("t.toml"), &[]).unwrap()
    }

    /// Open 08–20 with a flat profile: the 12 closed hours hold half the
    /// arrivals; with the profile's weight at night, its share.
    #[test]
    fn the_share_is_the_profile_over_the_closed_hours() {
        let s = scenario("[port]\nopen = [\"08:00-20:00\"]\n[demand]\nrate = \"240/d\"");
        let c = closed_hours(&s).unwrap();
        assert_eq!(c.daily, vec![(20 * HOUR, 8 * HOUR)]);
        assert!((c.share - 0.5).abs() < 1e-12, "{}", c.share);
        // Profile: 3 by day (08–20), 1 by night: night holds 12 / 48.
        let profile: Vec<String> = (0..24)
            .map(|h| if (8..20).contains(&h) { "3" } else { "1" }.to_owned())
            .collect();
        let s = scenario(&format!(
            "[port]\nopen = [\"08:00-20:00\"]\n[demand]\nrate = \"240/d\"\nprofile = [{}]",
            profile.join(", ")
        ));
        let c = closed_hours(&s).unwrap();
        assert!((c.share - 12.0 / 48.0).abs() < 1e-12, "{}", c.share);
    }

    #[test]
    fn a_port_open_round_the_clock_has_none_and_weekends_differ() {
        let s = scenario("[port]\nopen = [\"00:00-24:00\"]\n[demand]\nrate = \"240/d\"");
        assert_eq!(closed_hours(&s), None);
        let s = scenario(
            "[port]\nopen = [\"00:00-24:00\"]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n[demand]\nrate = \"240/d\"",
        );
        let c = closed_hours(&s).unwrap();
        assert!(c.daily.is_empty(), "{:?}", c.daily);
        assert!((c.share - 2.0 / 7.0).abs() < 1e-12, "{}", c.share);
    }
}
