//! Whether (almost) every service took the same time, and which.
//!
//! A service time is deterministic when at least 99 % of the services that
//! ended are compatible with one value `v` (an exact duration within 1 %
//! or one second of it, an interval or a rounded difference whose range
//! holds it: a constant 330 s on a minute clock shows as 300 or 360), and
//! no more than 1 % of all services contradict it (ended elsewhere, or
//! still running beyond it). `v` is the mean of the compatible points
//! (unbiased for rounded differences, whose two roundings cancel on
//! average).
//!
//! The point covered by the most ranges is found by a sweep over their
//! ends; a linear-time necessary condition rules most stages out first.

use super::Obs;
use super::sample::point;

/// A necessary condition, in linear time, before the sweep: if 99 % of
/// the ranges hold a point `v`, their centres lie within `H` (the widest
/// half-width) of `v`, so does the median centre `m`, and each of those
/// ranges' centres lies within its own half-width plus `H` of `m`.
fn near_median(ranges: &[(f64, f64)]) -> bool {
    let mut centres: Vec<f64> = ranges.iter().map(|r| (r.0 + r.1) / 2.0).collect();
    let mid = centres.len() / 2;
    let (_, &mut m, _) = centres.select_nth_unstable_by(mid, f64::total_cmp);
    let widest = ranges.iter().map(|r| (r.1 - r.0) / 2.0).fold(0.0, f64::max);
    let near = ranges
        .iter()
        .filter(|r| ((r.0 + r.1) / 2.0 - m).abs() <= (r.1 - r.0) / 2.0 + widest)
        .count();
    near * 100 >= ranges.len() * 99
}

/// The value every service took, if (almost) every one took the same
/// (see the module's rules), with a normal 95 % interval of it.
pub fn deterministic(pairs: &[(Obs, f64)]) -> Option<(f64, Option<[f64; 2]>)> {
    let support = |o: Obs| match o {
        Obs::Exact(x) => {
            let tol = (0.01 * x).max(1.0);
            Some((x - tol, x + tol))
        }
        Obs::Interval(lo, hi) => Some((lo, hi)),
        Obs::Rounded { value, width } => Some((value - width, value + width)),
        Obs::Right(_) => None,
    };
    let ranges: Vec<(f64, f64)> = pairs.iter().filter_map(|p| support(p.0)).collect();
    if ranges.is_empty() || !near_median(&ranges) {
        return None;
    }
    // Sweep: the point covered by the most ranges (starts before ends on
    // a tie, ranges being closed).
    let mut events: Vec<(f64, i32)> = ranges
        .iter()
        .flat_map(|&(lo, hi)| [(lo, 1), (hi, -1)])
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let (mut count, mut best, mut from, mut to) = (0i32, 0i32, 0.0, 0.0);
    for (i, &(x, step)) in events.iter().enumerate() {
        count += step;
        if count > best {
            best = count;
            from = x;
            to = events.get(i + 1).map_or(x, |e| e.0);
        }
    }
    let v = (from + to) / 2.0;
    let compatible: Vec<f64> = pairs
        .iter()
        .filter(|p| support(p.0).is_some_and(|(lo, hi)| lo <= v && v <= hi))
        .map(|p| point(p.0).0)
        .collect();
    let contradicted = pairs
        .iter()
        .filter(|p| matches!(p.0, Obs::Right(x) if x >= to))
        .count();
    let misfits = ranges.len() - compatible.len() + contradicted;
    if compatible.len() * 100 < ranges.len() * 99 || misfits * 100 > pairs.len() {
        return None;
    }
    let k = compatible.len() as f64;
    let value = compatible.iter().sum::<f64>() / k;
    let ci = (compatible.len() > 1).then(|| {
        let sd = (compatible.iter().map(|x| (x - value).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
        let half = 1.96 * sd / k.sqrt();
        [value - half, value + half]
    });
    Some((value, ci))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_percent_off_is_deterministic_two_is_not() {
        let pairs = |odd: &[f64]| {
            let mut p: Vec<(Obs, f64)> = (0..100 - odd.len())
                .map(|i| (Obs::Exact(45.0 + 0.1 * (i % 3) as f64), f64::INFINITY))
                .collect();
            p.extend(odd.iter().map(|&x| (Obs::Exact(x), f64::INFINITY)));
            p
        };
        let (v, ci) = deterministic(&pairs(&[90.0])).expect("99 of 100 agree");
        let want = (33.0 * 45.0 + 33.0 * 45.1 + 33.0 * 45.2) / 99.0;
        assert!((v - want).abs() < 1e-12, "{v}");
        let ci = ci.expect("interval");
        assert!(ci[0] < v && v < ci[1]);
        assert!(deterministic(&pairs(&[90.0, 20.0])).is_none());
        // A service still running past the value contradicts it.
        let mut p = pairs(&[90.0]);
        p.push((Obs::Right(600.0), 600.0));
        p.push((Obs::Right(700.0), 700.0));
        assert!(deterministic(&p).is_none());
    }
}
