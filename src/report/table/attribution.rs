//! The terminal table of an attribution: per metric, the combined change,
//! how it adds up term by term (each intervention alone, then the extra of
//! each combination, every term shown so that they add up), and each
//! intervention's Shapley share, Shapley value and main effect, all with
//! 95% intervals and in the unit of the comparison table's row.

use std::fmt::Write;

use super::compare::{row_scale, unit_of};
use super::{columns, label};
use crate::experiment::attribution::{Attribution, members};
use crate::experiment::compare::Change;
use crate::experiment::estimate::Estimate;
use crate::experiment::summary::Summary;
use crate::report::format::{Scale, fixed, number};

/// A share in percent and its interval, or why there is none: with no
/// combined change there is nothing to share (0/0), never "NaN%".
pub fn share(e: &Estimate) -> (String, String) {
    if !e.mean.is_finite() {
        return ("n/a".to_owned(), "no combined change to share".to_owned());
    }
    let ci = match e.ci95 {
        Some([lo, hi]) => format!("[{}%, {}%]", fixed(lo, 1), fixed(hi, 1)),
        None if e.n >= 2 => "n/a: the combined change is not significant".to_owned(),
        None => "n/a".to_owned(),
    };
    (format!("{}%", fixed(e.mean, 1)), ci)
}

/// The name of a term: "24h-opening alone", "a × b".
pub fn term_name(subset: usize, names: &[String]) -> String {
    let parts: Vec<&str> = members(subset, names.len())
        .filter_map(|j| names.get(j).map(String::as_str))
        .collect();
    if parts.len() == 1 {
        format!("{} alone", parts[0])
    } else {
        parts.join(" × ")
    }
}

/// What an estimate's interval says, in words, beside its number: a
/// significant change needs no word, unless it is too small to show at
/// the row's precision (it would read `0.00 [0.00, 0.00]`, unlabelled:
/// issue 28). Such rows are labelled rather than left out, because every
/// term is shown so that the terms add up to the combined change.
pub fn significance(e: &Estimate, scale: &Scale) -> &'static str {
    match e.ci95 {
        Some([lo, hi]) if e.mean == 0.0 && lo == 0.0 && hi == 0.0 => "no change in any replication",
        Some(_) if e.excludes_zero() && scale.shows_zero(e.mean) => {
            "significant, but smaller than the last digit shown"
        }
        Some(_) if e.excludes_zero() => "",
        Some(_) => "not significant",
        None => "no interval",
    }
}

/// The note beside an intervention's row: what its Shapley value's
/// interval says (see [`significance`]).
fn value_note(phi: &Estimate, scale: &Scale) -> String {
    match significance(phi, scale) {
        "" => String::new(),
        word => format!("Shapley value: {word}"),
    }
}

fn metric(out: &mut String, names: &[String], m: &str, a: &Attribution, scale: &Scale) {
    let _ = writeln!(
        out,
        "\n  {}: combined change {} (95% CI {})",
        label(m),
        scale.signed(a.combined.mean),
        a.combined.ci95.map_or("n/a".to_owned(), |[lo, hi]| format!(
            "{} to {}",
            scale.signed(lo),
            scale.signed(hi)
        )),
    );
    let mut rows = vec![vec![
        "how it adds up".to_owned(),
        "change".to_owned(),
        "95% CI".to_owned(),
        String::new(),
    ]];
    for (t, e) in &a.terms {
        rows.push(vec![
            term_name(*t, names),
            scale.signed(e.mean),
            scale.signed_interval(e.ci95),
            significance(e, scale).to_owned(),
        ]);
    }
    rows.push(vec![
        "= combined change".to_owned(),
        scale.signed(a.combined.mean),
        scale.signed_interval(a.combined.ci95),
        String::new(),
    ]);
    out.push_str(&columns("    ", &rows, &[false, true, false, false]));
    let mut rows = vec![
        [
            "intervention",
            "Shapley share",
            "95% CI",
            "Shapley value",
            "95% CI",
            "main effect",
            "95% CI",
            "",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for (j, name) in names.iter().enumerate() {
        let (Some(sh), Some(phi), Some(main)) =
            (a.shares.get(j), a.shapley.get(j), a.main_effects.get(j))
        else {
            continue;
        };
        let (share, share_ci) = share(sh);
        rows.push(vec![
            name.clone(),
            share,
            share_ci,
            scale.signed(phi.mean),
            scale.signed_interval(phi.ci95),
            scale.signed(main.mean),
            scale.signed_interval(main.ci95),
            value_note(phi, scale),
        ]);
    }
    out.push_str(&columns(
        "    ",
        &rows,
        &[false, true, false, true, false, true, false, false],
    ));
}

/// The table of an intervention attribution. `changes` and `baseline` are
/// those of the comparison of the baseline with all interventions, whose
/// rows set each metric's unit.
pub fn attribution(
    names: &[String],
    metrics: &[(&str, Attribution)],
    changes: &[Change],
    baseline: &Summary,
    currency: &str,
) -> String {
    let mut out = String::new();
    let k = names.len();
    let pairs = metrics.first().map_or(0, |(_, a)| a.combined.n);
    let _ = writeln!(
        out,
        "\nattribution of the combined change ({}, {} paired replications)",
        if metrics.is_empty() {
            format!("{k} interventions: each alone and all together")
        } else {
            format!(
                "the full 2^{k} factorial, {} runs",
                number((1u64 << k) as f64, 0)
            )
        },
        pairs
    );
    if metrics.is_empty() {
        let _ = writeln!(
            out,
            "  with more than four interventions only each one alone and all together are run, which does not identify Shapley shares"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "  A term is the change of one intervention alone, or the extra change a\n  combination brings beyond its parts; every term is shown, so they add up\n  to the combined change. A Shapley value gives each intervention its terms,\n  each shared equally among the interventions in it; a share is a Shapley\n  value over the combined change. A main effect averages an intervention's\n  effect over the settings of the others. Intervals are 95%."
    );
    for (m, a) in metrics {
        let unit = unit_of(baseline, m);
        let scale = match changes.iter().find(|c| c.name == *m) {
            Some(c) => row_scale(c, unit, currency),
            None => Scale::new(unit, a.combined.mean, currency),
        };
        metric(&mut out, names, m, a, &scale);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::summary::Unit;

    fn e(mean: f64, lo: f64, hi: f64) -> Estimate {
        Estimate {
            mean,
            ci95: Some([lo, hi]),
            n: 20,
        }
    }

    /// Issue 28: the attribution of clearance steps on Horgos printed
    /// `0.0%  [-0.0%, 0.0%]` and rows of `0.00  [0.00, 0.00]` with no word:
    /// a significant change smaller than the last digit looked like none.
    /// These are that run's numbers.
    #[test]
    fn no_negative_zero_and_every_zero_looking_row_is_labelled() {
        let names = vec!["24h".to_owned(), "one-stop".to_owned()];
        let a = Attribution {
            combined: e(-6.078, -6.082, -6.075),
            main_effects: vec![e(0.000_19, -0.0013, 0.0017), e(-6.078, -6.081, -6.074)],
            interactions: Vec::new(),
            shapley: vec![e(-0.000_012, -0.0015, 0.0015), e(-6.078, -6.081, -6.074)],
            shares: vec![e(0.000_2, -0.024, 0.025), e(99.99, 99.97, 100.02)],
            terms: vec![
                (1, e(-0.000_15, -0.0029, 0.0026)),
                (2, e(-6.078, -6.082, -6.074)),
                (3, e(0.0026, 0.000_81, 0.0043)),
            ],
        };
        let mut out = String::new();
        metric(
            &mut out,
            &names,
            "steps_per_truck",
            &a,
            &Scale::new(Unit::Steps, 6.0, ""),
        );
        assert!(!out.contains("-0.0"), "{out}");
        let line = |start: &str| {
            out.lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap_or_else(|| panic!("no `{start}` in\n{out}"))
                .to_owned()
        };
        assert!(line("24h alone").ends_with("not significant"), "{out}");
        assert!(
            line("24h × one-stop").ends_with("significant, but smaller than the last digit shown"),
            "{out}"
        );
        let row = out
            .lines()
            .find(|l| l.trim_start().starts_with("24h ") && l.contains('%'))
            .unwrap_or_default();
        assert!(row.contains("[0.0%, 0.0%]"), "{row}");
        assert!(row.ends_with("Shapley value: not significant"), "{row}");
        let exact = e(0.0, 0.0, 0.0);
        assert_eq!(
            significance(&exact, &Scale::new(Unit::Steps, 6.0, "")),
            "no change in any replication"
        );
    }
}
