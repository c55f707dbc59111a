//! A run's findings in words: the one place that words what
//! `experiment::findings` found, for every output.
//!
//! A finding is worded once as [`Words`], plain text with the names it
//! quotes (stages, pools) kept apart; the terminal, the JSON `text` and
//! JUnit show a name between backticks, the HTML report (and so the web
//! app) in a `<code>` element. The numbers are rounded as people read them
//! (`~691/day`); the JSON keeps them whole beside the words.

use maud::{Markup, html};
use serde_json::{Value, json};

use super::format::{duration, number};
use crate::experiment::findings::{Excess, Finding, Left, Limit, Piled, Shortfall};

/// A piece of a finding's words.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// Plain words.
    Text(String),
    /// A name from the scenario (a stage, a pool).
    Name(String),
}

/// A finding's words: text and names, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words(Vec<Piece>);

impl Words {
    fn text(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        match self.0.last_mut() {
            Some(Piece::Text(t)) => t.push_str(&s),
            _ => self.0.push(Piece::Text(s)),
        }
        self
    }

    fn name(mut self, s: &str) -> Self {
        self.0.push(Piece::Name(s.to_owned()));
        self
    }

    fn then(mut self, other: Words) -> Self {
        for p in other.0 {
            self = match p {
                Piece::Text(t) => self.text(t),
                Piece::Name(n) => self.name(&n),
            };
        }
        self
    }

    /// As plain text, names between backticks (the terminal, JSON, JUnit).
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Name(n) => format!("`{n}`"),
            })
            .collect()
    }

    /// As HTML, names in `<code>` (escaped like every text).
    pub fn markup(&self) -> Markup {
        html! {
            @for p in &self.0 {
                @match p {
                    Piece::Text(t) => (t),
                    Piece::Name(n) => code { (n) },
                }
            }
        }
    }
}

/// The words of `f`.
pub fn words(f: &Finding) -> Words {
    match f {
        Finding::Stage(s) => stage(s),
        Finding::Stages { stages } => stages_words(stages),
        Finding::Gate(g) => {
            let mut what = Vec::new();
            if g.turned_away_per_day >= 0.5 {
                what.push(format!(
                    "~{}/day are turned away (road queue full)",
                    number(g.turned_away_per_day, 0)
                ));
            }
            if g.road_growth_per_day >= 0.5 {
                what.push(format!(
                    "the road queue grows ~{}/day",
                    number(g.road_growth_per_day, 0)
                ));
            }
            Words::default().text(format!(
                "the gate cannot keep up: ~{} trucks/day reach the port and {}",
                number(g.arrivals_per_day, 0),
                what.join(" and ")
            ))
        }
        Finding::Unfinished(p) => Words::default().text(unfinished(p)),
    }
}

/// The text of `f` as the terminal shows it.
pub fn text(f: &Finding) -> String {
    words(f).plain()
}

/// The JSON of `f`: its data, and its `text`.
pub fn json(f: &Finding) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("text".into(), json!(text(f)));
    }
    v
}

/// What bounds a stage's capacity: "its lanes", "its daily limit of 60",
/// "the pool `scanner` it shares".
fn bound(b: &Limit) -> Words {
    match b {
        Limit::Lanes => Words::default().text("its lanes"),
        Limit::DailyLimit { limit } => Words::default().text(format!("its daily limit of {limit}")),
        Limit::Pool { pool } => Words::default()
            .text("the pool ")
            .name(pool)
            .text(" it shares"),
    }
}

/// Where a stage's excess goes, for one stage ("its queue grows ~9/day").
fn excess(e: &Excess) -> String {
    match e {
        Excess::Grows { per_day } => format!("its queue grows ~{}/day", number(*per_day, 0)),
        Excess::Left(l) => format!("the excess left before service: {}", left(l)),
        Excess::TurnedAway => {
            "its queue is capped by the port's bounds and the excess is turned away at the gate"
                .to_owned()
        }
        Excess::WaitsUpstream => "the excess waits upstream".to_owned(),
    }
}

/// The trucks a day that left before service, by how: "~24/day diverted
/// at the road (their tolerance)", ….
fn left(l: &Left) -> String {
    let parts: Vec<String> = [
        (l.turned_away, "turned away at the gate (road queue full)"),
        (l.diverted, "diverted at the road (their tolerance)"),
        (l.reneged, "reneged on the road (their patience)"),
        (
            l.diverted_offsite,
            "diverted at the e-queue (their tolerance)",
        ),
        (l.reneged_offsite, "reneged in the e-queue (their patience)"),
    ]
    .into_iter()
    .filter(|&(x, _)| x >= 0.5)
    .map(|(x, how)| format!("~{}/day {how}", number(x, 0)))
    .collect();
    if parts.is_empty() {
        "fewer than one truck a day".to_owned()
    } else {
        parts.join(", ")
    }
}

/// One stage that cannot keep up.
fn stage(s: &Shortfall) -> Words {
    let head = Words::default().text("stage ").name(&s.stage);
    let head = if s.counts_lost {
        head.text(format!(
            " cannot keep up: the trucks that came want ~{}/day of it, more than its capacity ~{}/day (",
            number(s.demand_per_day, 0),
            number(s.capacity_per_day, 0),
        ))
    } else {
        head.text(format!(
            " cannot keep up: demand ~{}/day exceeds its capacity ~{}/day (",
            number(s.demand_per_day, 0),
            number(s.capacity_per_day, 0),
        ))
    };
    head.then(bound(&s.bound))
        .text(format!("); {}", excess(&s.excess)))
}

/// Several stages short for the same reason, tightest first.
fn stages_words(stages: &[Shortfall]) -> Words {
    let mut w = Words::default().text(format!(
        "{} stages cannot keep up (capacity for demand, load): ",
        stages.len()
    ));
    for (i, s) in stages.iter().enumerate() {
        if i > 0 {
            w = w.text(", ");
        }
        w = w.name(&s.stage).text(format!(
            " ~{}/day for ~{} ({:.0}%)",
            number(s.capacity_per_day, 0),
            number(s.demand_per_day, 0),
            100.0 * s.load
        ));
    }
    let queue = stages
        .first()
        .map(|s| excess(&s.excess))
        .unwrap_or_default();
    w.text(format!(
        "; {}",
        queue.replacen("its queue is", "their queues are", 1)
    ))
}

/// Trucks piled up at the port.
fn unfinished(p: &Piled) -> String {
    let share = if p.departures > 0.0 {
        format!("{:.0}% of departures", 100.0 * p.count / p.departures)
    } else {
        "none left".to_owned()
    };
    format!(
        "{} trucks ({share}) were still at the port at the end, {} more than at the start, there ~{} so far on average (oldest {}); time in port counts only trucks that left, so it leaves out these stays",
        number(p.count, 0),
        number(p.more_than_at_start, 0),
        duration(p.mean_age_s),
        duration(p.max_age_s),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::findings::GateShortfall;

    fn short(name: &str, bound: Limit, excess: Excess) -> Shortfall {
        Shortfall {
            stage: name.to_owned(),
            demand_per_day: 800.4,
            capacity_per_day: 690.6,
            load: 1.159,
            bound,
            counts_lost: false,
            excess,
        }
    }

    #[test]
    fn a_stage_reads_as_before_and_its_names_are_code_in_html() {
        let f = Finding::Stage(short(
            "customs",
            Limit::Pool {
                pool: "scanner".into(),
            },
            Excess::Grows { per_day: 109.4 },
        ));
        assert_eq!(
            text(&f),
            "stage `customs` cannot keep up: demand ~800/day exceeds its capacity ~691/day (the pool `scanner` it shares); its queue grows ~109/day"
        );
        let html = words(&f).markup().into_string();
        assert!(!html.contains('`'), "{html}");
        assert!(
            html.starts_with("stage <code>customs</code> cannot keep up")
                && html.contains("(the pool <code>scanner</code> it shares)"),
            "{html}"
        );
    }

    #[test]
    fn names_are_escaped_in_html() {
        let f = Finding::Stage(short("<b>&", Limit::Lanes, Excess::WaitsUpstream));
        let html = words(&f).markup().into_string();
        assert!(html.contains("<code>&lt;b&gt;&amp;</code>"), "{html}");
    }

    #[test]
    fn json_carries_the_data_and_the_text() {
        let f = Finding::Gate(GateShortfall {
            arrivals_per_day: 1150.0,
            turned_away_per_day: 494.0,
            road_growth_per_day: 0.0,
        });
        let v = json(&f);
        assert_eq!(v["kind"], "gate");
        assert_eq!(v["turned_away_per_day"], 494.0);
        assert_eq!(
            v["text"],
            "the gate cannot keep up: ~1,150 trucks/day reach the port and ~494/day are turned away (road queue full)"
        );
        let f = Finding::Stage(short(
            "desk",
            Limit::DailyLimit { limit: 40 },
            Excess::Left(Left {
                diverted: 24.0,
                ..Left::default()
            }),
        ));
        let v = json(&f);
        assert_eq!(v["kind"], "stage");
        assert_eq!(v["stage"], "desk");
        assert_eq!(v["bound"], json!({"kind": "daily_limit", "limit": 40}));
        assert_eq!(v["excess"]["kind"], "left");
        assert_eq!(v["excess"]["diverted"], 24.0);
        assert!(
            v["text"]
                .as_str()
                .is_some_and(|t| t.ends_with("(its daily limit of 40); the excess left before service: ~24/day diverted at the road (their tolerance)")),
            "{v}"
        );
    }

    #[test]
    fn piled_up_trucks_read_as_before() {
        let f = Finding::Unfinished(Piled {
            count: 101.4,
            more_than_at_start: 99.6,
            departures: 1344.0,
            mean_age_s: 3.6 * 3600.0,
            max_age_s: 2.5 * 86400.0,
        });
        assert_eq!(
            text(&f),
            "101 trucks (8% of departures) were still at the port at the end, 100 more than at the start, there ~3.6 h so far on average (oldest 60.0 h); time in port counts only trucks that left, so it leaves out these stays"
        );
        let none = Finding::Unfinished(Piled {
            departures: 0.0,
            ..match f {
                Finding::Unfinished(p) => p,
                _ => unreachable!(),
            }
        });
        assert!(text(&none).starts_with("101 trucks (none left) were"));
    }

    #[test]
    fn many_stages_read_as_one_line() {
        let f = Finding::Stages {
            stages: ["a", "b", "c"]
                .iter()
                .map(|n| short(n, Limit::Lanes, Excess::TurnedAway))
                .collect(),
        };
        assert_eq!(
            text(&f),
            "3 stages cannot keep up (capacity for demand, load): `a` ~691/day for ~800 (116%), `b` ~691/day for ~800 (116%), `c` ~691/day for ~800 (116%); their queues are capped by the port's bounds and the excess is turned away at the gate"
        );
    }
}
