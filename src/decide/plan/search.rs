//! The search over candidates: bisection for one variable, cost order
//! with monotone pruning for several; the choice, the runner-up, and what
//! the evidence proves.
//!
//! The most capable corner (every variable at its maximum) is evaluated
//! first: when even it misses a target, no candidate can meet it (more
//! capacity never hurts), and the plan stops at once, saying by how much.
//! With several variables, each variable's least workable value is then
//! found by bisection with the others at their maximum, so every cheaper
//! candidate below it is ruled out before the cost order starts: an
//! expensive variable that binds (one scanner is never enough) no longer
//! lets the budget run out on cheap candidates that could never work.
//! When the budget runs out all the same, the notes name the constraint
//! that failed at the best candidates and the variable whose range binds.

use std::sync::atomic::{AtomicBool, Ordering};

use super::Plan;
use super::candidate::{Candidate, Hooks, Status, evaluate};
use super::closed::{ClosedHours, closed_hours};
use crate::decide::DecideError;
use crate::decide::runner::Runner;
use crate::decide::verdict::{Schedule, Verdict, alpha_per_test};
use crate::experiment::summary::Unit;

/// The runner-up, and how its feasibility is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunnerUp {
    /// It was run and declared feasible (an index into the candidates).
    Evaluated(usize),
    /// It has at least the capacity of a feasible candidate, and the
    /// candidate budget was spent before it could be run.
    Implied(Vec<i64>),
}

/// What a plan found.
#[derive(Clone, Debug)]
pub struct Answer {
    /// Every candidate evaluated, in the order evaluated.
    pub candidates: Vec<Candidate>,
    /// Index of the chosen plan: the cheapest declared feasible.
    pub choice: Option<usize>,
    /// The next-cheapest feasible candidate.
    pub runner_up: Option<RunnerUp>,
    /// Whether every candidate cheaper than the choice is declared or
    /// implied infeasible.
    pub least_cost_proven: bool,
    /// The error rate of each test.
    pub alpha: f64,
    /// The most candidates the search could evaluate (K).
    pub max_evaluations: usize,
    /// The looks.
    pub looks: Vec<u64>,
    /// Whether the search ran to its end (not interrupted).
    pub complete: bool,
    /// Things the reader should know: undecided cheaper candidates, the
    /// candidate budget, monotonicity violations.
    pub notes: Vec<String>,
    /// When the target is unreachable and the port closes: its closed
    /// hours and the share of arrivals they hold (worded by the report).
    pub closed_hours: Option<ClosedHours>,
}

/// ⌈log₂ n⌉.
fn ceil_log2(n: u64) -> usize {
    let mut k = 0;
    while (1u64 << k) < n {
        k += 1;
    }
    k
}

/// The most candidates the search evaluates: a bisection's ⌈log₂ n⌉ plus
/// the top of the range and the runner-up for one variable; the budget
/// (or the whole space, if smaller) for several.
pub fn max_evaluations(plan: &Plan) -> usize {
    match &plan.variables[..] {
        [v] => ceil_log2((v.max - v.min + 1) as u64) + 2,
        vars => {
            let space: u64 = vars.iter().map(|v| (v.max - v.min + 1) as u64).product();
            (space.min(plan.max_candidates as u64)) as usize
        }
    }
}

struct Search<'a> {
    plan: &'a Plan,
    alpha: f64,
    schedule: Schedule,
    runner: &'a Runner,
    cancel: &'a AtomicBool,
    hooks: &'a Hooks<'a>,
    done: Vec<Candidate>,
    budget: usize,
}

impl Search<'_> {
    /// The verdict on `values`, evaluating it unless known.
    fn status(&mut self, values: &[i64]) -> Result<Option<Status>, DecideError> {
        if let Some(c) = self.done.iter().find(|c| c.values == values) {
            return Ok(Some(c.status));
        }
        if self.done.len() >= self.budget || self.cancel.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let c = evaluate(
            self.plan,
            values,
            self.alpha,
            &self.schedule,
            self.runner,
            self.cancel,
            self.hooks,
        )?;
        let s = c.status;
        self.done.push(c);
        Ok(Some(s))
    }

    fn index(&self, values: &[i64]) -> Option<usize> {
        self.done.iter().position(|c| c.values == values)
    }

    /// Known by monotonicity from the evaluated candidates.
    fn implied(&self, values: &[i64]) -> Option<Status> {
        let le = |a: &[i64], b: &[i64]| a.iter().zip(b).all(|(x, y)| x <= y);
        if self
            .done
            .iter()
            .any(|c| c.status == Status::Infeasible && le(values, &c.values))
        {
            return Some(Status::Infeasible);
        }
        if self
            .done
            .iter()
            .any(|c| c.status == Status::Feasible && le(&c.values, values))
        {
            return Some(Status::Feasible);
        }
        None
    }
}

/// Every candidate in cost order (ties: smaller values first).
fn in_cost_order(plan: &Plan) -> Vec<Vec<i64>> {
    let mut all: Vec<Vec<i64>> = vec![Vec::new()];
    for v in &plan.variables {
        all = all
            .into_iter()
            .flat_map(|c| {
                (v.min..=v.max).map(move |x| {
                    let mut c = c.clone();
                    c.push(x);
                    c
                })
            })
            .collect();
    }
    all.sort_by(|a, b| plan.cost(a).total_cmp(&plan.cost(b)).then_with(|| a.cmp(b)));
    all
}

/// Runs the search.
pub fn solve(
    plan: &Plan,
    runner: &Runner,
    cancel: &AtomicBool,
    hooks: &Hooks,
) -> Result<Answer, DecideError> {
    let budget = max_evaluations(plan);
    let schedule = Schedule::new(plan.first, plan.cap);
    let alpha = alpha_per_test(
        plan.confidence,
        budget,
        plan.constraints.len(),
        schedule.looks().len(),
    );
    let mut s = Search {
        plan,
        alpha,
        schedule,
        runner,
        cancel,
        hooks,
        done: Vec::new(),
        budget,
    };
    let order = in_cost_order(plan);
    let mut notes = Vec::new();
    let top: Vec<i64> = plan.variables.iter().map(|v| v.max).collect();
    let unreachable = s.status(&top)? == Some(Status::Infeasible);
    let (choice, runner_up) = if unreachable {
        if let Some(c) = s.index(&top).map(|i| &s.done[i]) {
            notes.push(unreachable_note(plan, c));
        }
        (None, None)
    } else {
        match &plan.variables[..] {
            [v] => bisect(&mut s, v.min, v.max)?,
            _ => {
                lower_bounds(&mut s, &top)?;
                by_cost(&mut s, &order)?
            }
        }
    };
    let least_cost_proven = match choice {
        Some(i) => {
            let chosen = s.done[i].values.clone();
            let cheaper: Vec<&Vec<i64>> = order.iter().take_while(|c| **c != chosen).collect();
            let open: Vec<String> = cheaper
                .iter()
                .filter(|c| s.implied(c) != Some(Status::Infeasible))
                .take(5)
                .map(|c| label(plan, c))
                .collect();
            if !open.is_empty() {
                notes.push(format!(
                    "not proven least-cost: cheaper candidates are not ruled out ({}); raise `max_replications`, set a `tolerance`, or raise `max_candidates`",
                    open.join("; ")
                ));
            }
            open.is_empty()
        }
        None => false,
    };
    for c in s.done.iter().filter(|c| c.status == Status::Undecided) {
        notes.push(format!(
            "{} is undecided after {} replications: its mean is too close to a threshold to tell at this confidence",
            label(plan, &c.values),
            c.replications
        ));
    }
    monotonicity(&s.done, &mut notes);
    let complete = !cancel.load(Ordering::SeqCst);
    if complete
        && !unreachable
        && choice.is_none()
        && s.done.len() >= budget
        && plan.variables.len() > 1
    {
        notes.push(format!(
            "stopped after {budget} candidates (`max_candidates`) without a feasible one{}",
            binding(plan, &s.done)
        ));
    }
    Ok(Answer {
        candidates: s.done,
        choice,
        runner_up,
        least_cost_proven,
        alpha,
        max_evaluations: budget,
        looks: s.schedule.looks().to_vec(),
        complete,
        notes,
        closed_hours: if unreachable {
            closed_hours(&plan.base)
        } else {
            None
        },
    })
}

type Found = (Option<usize>, Option<RunnerUp>);

/// One variable: the least feasible value by bisection, then one more
/// unit as the runner-up.
fn bisect(s: &mut Search, min: i64, max: i64) -> Result<Found, DecideError> {
    let (mut lo, mut hi) = (min, max);
    let mut hi_feasible = false;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match s.status(&[mid])? {
            Some(Status::Feasible) => {
                hi = mid;
                hi_feasible = true;
            }
            Some(_) => lo = mid + 1,
            None => return Ok((None, None)),
        }
    }
    if !hi_feasible && s.status(&[lo])? != Some(Status::Feasible) {
        return Ok((None, None));
    }
    let choice = s.index(&[lo]);
    let runner_up = if lo < max {
        match s.status(&[lo + 1])? {
            Some(Status::Feasible) => s.index(&[lo + 1]).map(RunnerUp::Evaluated),
            _ => None,
        }
    } else {
        None
    };
    Ok((choice, runner_up))
}

/// Several variables: candidates in cost order, skipping those implied
/// infeasible; the first feasible is the choice, the next the runner-up.
fn by_cost(s: &mut Search, order: &[Vec<i64>]) -> Result<Found, DecideError> {
    let mut choice = None;
    for c in order {
        match s.implied(c) {
            Some(Status::Infeasible) => continue,
            Some(Status::Feasible) if choice.is_some() && s.done.len() >= s.budget => {
                return Ok((choice, Some(RunnerUp::Implied(c.clone()))));
            }
            _ => {}
        }
        match s.status(c)? {
            Some(Status::Feasible) => match choice {
                None => choice = s.index(c),
                Some(_) => return Ok((choice, s.index(c).map(RunnerUp::Evaluated))),
            },
            Some(_) => {}
            None => {
                let implied = s.implied(c) == Some(Status::Feasible);
                return Ok((
                    choice,
                    (choice.is_some() && implied).then(|| RunnerUp::Implied(c.clone())),
                ));
            }
        }
    }
    Ok((choice, None))
}

/// Several variables, the most capable corner `top` workable: for each
/// variable in turn, its least value that works with the others at their
/// maximum, by bisection. Every value below it is then implied infeasible
/// for any setting of the others, so the cost order never spends the
/// budget there. Stops quietly when the budget or a cancel stops it.
fn lower_bounds(s: &mut Search, top: &[i64]) -> Result<(), DecideError> {
    let plan = s.plan;
    for (i, v) in plan.variables.iter().enumerate() {
        let (mut lo, mut hi) = (v.min, v.max);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let mut at = top.to_vec();
            at[i] = mid;
            match s.status(&at)? {
                Some(Status::Feasible) => hi = mid,
                Some(Status::Infeasible) => lo = mid + 1,
                // Undecided: not evidence either way; stop narrowing.
                Some(Status::Undecided) => break,
                None => return Ok(()),
            }
        }
    }
    Ok(())
}

/// A value of a plan metric for people: durations in hours or minutes.
fn shown(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Seconds if x >= 3600.0 => format!("{:.1} h", x / 3600.0),
        Unit::Seconds => format!("{:.0} min", x / 60.0),
        _ => format!("{x:.1}"),
    }
}

/// Why no candidate can work: what the most capable corner `c` missed, and
/// by how much.
fn unreachable_note(plan: &Plan, c: &Candidate) -> String {
    let missed: Vec<String> = plan
        .constraints
        .iter()
        .zip(&c.decisions)
        .filter(|(_, d)| d.verdict == Verdict::Violated)
        .map(|(k, d)| {
            format!(
                "{} is {} against `{}`",
                k.key.label(),
                shown(k.key.unit(), d.mean),
                k.text
            )
        })
        .collect();
    let why = match (&c.note, missed.is_empty()) {
        (Some(note), _) => note.clone(),
        (None, false) => missed.join("; "),
        (None, true) => "a constraint is violated".to_owned(),
    };
    format!(
        "at the maximum of every variable ({}), {why}: the ranges cannot meet the target, so the plan stopped there; widen the ranges or change what else limits the port (its hours, its demand)",
        label(plan, &c.values)
    )
}

/// After a budget spent without a feasible candidate: the constraint that
/// failed at the most capable candidates evaluated, and the variable whose
/// range binds (the one every infeasible candidate kept lowest).
fn binding(plan: &Plan, done: &[Candidate]) -> String {
    let bad: Vec<&Candidate> = done
        .iter()
        .filter(|c| c.status == Status::Infeasible)
        .collect();
    if bad.is_empty() {
        return String::new();
    }
    let mut failed = vec![0usize; plan.constraints.len()];
    let best = bad
        .iter()
        .map(|c| c.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    for c in bad.iter().filter(|c| c.values.iter().sum::<i64>() == best) {
        for (j, d) in c.decisions.iter().enumerate() {
            if d.verdict == Verdict::Violated {
                failed[j] += 1;
            }
        }
    }
    let constraint = failed
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .filter(|(_, n)| **n > 0)
        .and_then(|(j, _)| plan.constraints.get(j))
        .map(|k| format!("; `{}` failed at the most capable candidates tried", k.text))
        .unwrap_or_default();
    let variable = plan
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let high = bad.iter().map(|c| c.values[i]).max().unwrap_or(v.min);
            let reach = (high - v.min) as f64 / ((v.max - v.min).max(1)) as f64;
            (i, v, high, reach)
        })
        .min_by(|a, b| a.3.total_cmp(&b.3))
        .filter(|(_, v, high, _)| *high < v.max)
        .map(|(_, v, high, _)| {
            format!(
                "; `{}` binds: no infeasible candidate had more than {high} (of {}–{}), raise `max_candidates` or narrow the other ranges",
                v.key, v.min, v.max
            )
        })
        .unwrap_or_default();
    format!("{constraint}{variable}")
}

/// Candidates that contradict "more capacity never hurts".
fn monotonicity(done: &[Candidate], notes: &mut Vec<String>) {
    for bad in done.iter().filter(|c| c.status == Status::Infeasible) {
        if let Some(good) = done.iter().find(|g| {
            g.status == Status::Feasible && bad.values.iter().zip(&g.values).all(|(b, g)| b >= g)
        }) {
            let show = |c: &Candidate| {
                c.set
                    .iter()
                    .map(|o| o.text().to_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            notes.push(format!(
                "monotonicity does not hold: {} is infeasible but {} (less capacity) is feasible; the bisection assumes more capacity never hurts, so treat the answer with care",
                show(bad),
                show(good)
            ));
        }
    }
}

/// "stages.desk.lanes=5".
fn label(plan: &Plan, values: &[i64]) -> String {
    plan.variables
        .iter()
        .zip(values)
        .map(|(v, x)| format!("{}={x}", v.key))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_bounds() {
        assert_eq!(ceil_log2(1), 0);
        assert_eq!(ceil_log2(2), 1);
        assert_eq!(ceil_log2(20), 5);
        assert_eq!(ceil_log2(16), 4);
    }
}
