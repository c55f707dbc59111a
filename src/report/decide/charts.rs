//! The charts of decision studies: metric against a factor with a CI
//! band or whiskers, a heat map of two factors, a tornado, and points with
//! decision bounds against a threshold.
//!
//! Drawn as plain SVG in the style of [`crate::report::svg`] (its axes,
//! nice ticks, series styles and escaping, the page's CSS classes), so
//! the pages are self-contained, print in greyscale, and the same results
//! give the same bytes.

use std::fmt::Write;

use crate::experiment::summary::Unit;
use crate::report::format::duration_unit;
use crate::report::svg::{Axis, Plot, STYLES, Swatch, escape, text_width};

/// Width of a full-width chart, in viewBox units.
pub const FULL: f64 = 960.0;
/// Width of a half-width chart.
pub const HALF: f64 = 470.0;

/// A coordinate with at most one decimal (and never `-0`).
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if !r.is_finite() {
        "0".to_owned()
    } else if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// How values of a unit are shown on an axis: a divisor and a label
/// ("h" for durations of hours).
#[derive(Clone, Debug)]
pub struct Scale {
    /// Values are divided by this.
    pub divisor: f64,
    /// The axis title.
    pub title: String,
}

impl Scale {
    /// The scale for values of `unit` up to about `top`.
    pub fn of(unit: Unit, top: f64, what: &str, currency: &str) -> Scale {
        let (divisor, label) = match unit {
            Unit::Seconds => {
                let (d, l) = duration_unit(top);
                (d, l.to_owned())
            }
            Unit::TrucksPerDay => (1.0, "trucks/day".to_owned()),
            Unit::Steps => (1.0, "steps".to_owned()),
            Unit::Currency => (1.0, currency.to_owned()),
            Unit::Trucks => (1.0, "trucks".to_owned()),
        };
        Scale {
            divisor,
            title: format!("{what} ({label})"),
        }
    }
}

fn open(id: &str, title: &str, width: f64, height: f64) -> String {
    format!(
        "<svg id=\"{id}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-t\"><title id=\"{id}-t\">{}</title>",
        n(width),
        n(height),
        escape(title)
    )
}

/// A plotting area with two axes.
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x: Axis,
    y: Axis,
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        let t = ((x - self.x.lo) / (self.x.hi - self.x.lo)).clamp(-0.02, 1.02);
        self.left + t * self.width
    }

    fn py(&self, y: f64) -> f64 {
        let t = ((y - self.y.lo) / (self.y.hi - self.y.lo)).clamp(-0.02, 1.02);
        self.top + self.height - t * self.height
    }

    /// Grid, axes, ticks and titles.
    fn draw(&self, out: &mut String, x_ticks: bool) {
        let (l, b, r) = (self.left, self.top + self.height, self.left + self.width);
        for (t, label) in &self.y.ticks {
            let y = self.py(*t);
            let _ = write!(
                out,
                "<path class=\"grid\" d=\"M{} {}H{}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                n(l),
                n(y),
                n(r),
                n(l - 6.0),
                n(y + 4.0),
                escape(label)
            );
        }
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{} {}V{}H{}\"/>",
            n(l),
            n(self.top),
            n(b),
            n(r)
        );
        if x_ticks {
            // Every k-th label, so that labels never overlap.
            let widest = self
                .x
                .ticks
                .iter()
                .map(|(_, l)| text_width(l, 11.5))
                .fold(0.0, f64::max);
            let space = self.width / (self.x.ticks.len().max(2) - 1) as f64;
            let stride = ((widest + 10.0) / space.max(1.0)).ceil().max(1.0) as usize;
            for (t, label) in self.x.ticks.iter().step_by(stride) {
                let x = self.px(*t);
                let _ = write!(
                    out,
                    "<path class=\"axis\" d=\"M{} {}V{}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    n(x),
                    n(b),
                    n(b + 4.0),
                    n(x),
                    n(b + 17.0),
                    escape(label)
                );
            }
        }
        let _ = write!(
            out,
            "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text class=\"axis-title\" transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            n(l + self.width / 2.0),
            n(b + 36.0),
            escape(&self.x.title),
            n(14.0),
            n(self.top + self.height / 2.0),
            escape(&self.y.title)
        );
    }
}

/// A nice axis over values (and their intervals), padded a little.
pub fn axis(title: &str, values: impl Iterator<Item = f64>, from_zero: bool) -> Axis {
    axis_of(title, values, from_zero, false)
}

/// [`axis`], with whole-number ticks only when `integer` (a factor whose
/// levels are all whole numbers, such as lanes, never shows 2.5).
pub fn axis_of(
    title: &str,
    values: impl Iterator<Item = f64>,
    from_zero: bool,
    integer: bool,
) -> Axis {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    Axis::nice_of(title, lo, hi, 6, integer)
}

#[cfg(test)]
mod heat_tests {
    use super::*;

    /// Issue 28: the heat map says what its colours mean: a legend from
    /// the smallest value (pale) to the largest (dark), labelled.
    #[test]
    fn a_heat_map_has_a_colour_legend() {
        let columns = ["1".to_owned(), "2".to_owned()];
        let rows = ["a".to_owned(), "b".to_owned()];
        let values = vec![vec![Some(10.0), Some(20.0)], vec![Some(30.0), None]];
        let svg = heatmap(
            "h",
            "wait",
            ("lanes", &columns),
            ("shift", &rows),
            &values,
            &|v| format!("{v:.0} min"),
            None,
        );
        let legend = &svg[svg.find("<g class=\"heat-legend\">").expect("a legend")..];
        let legend = &legend[..legend.find("</g>").expect("closed")];
        assert!(
            legend.contains(">10 min</text>") && legend.contains(">30 min</text>"),
            "{legend}"
        );
        assert!(
            legend.contains(&format!("fill=\"{}\"", heat_fill(0.0))),
            "pale end"
        );
        assert!(
            legend.contains(&format!("fill=\"{}\"", heat_fill(1.0))),
            "dark end"
        );
        // The largest cell has the legend's darkest colour.
        assert_eq!(svg.matches(&heat_fill(1.0)).count(), 2, "{svg}");
    }
}

/// One series of a metric against a factor: `(x, mean, lo, hi)`.
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend label (empty for a single series).
    pub label: String,
    /// Points, in x order.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// A metric against a factor: one line with a CI band per series.
pub fn lines(id: &str, title: &str, x: Axis, y: Axis, series: &[Line]) -> String {
    let mut plot = Plot::new(id, title, (HALF, 300.0), x, y);
    for (i, s) in series.iter().enumerate() {
        let style = i % STYLES.len();
        plot.band(s.points.iter().map(|p| (p.0, p.2, p.3)).collect(), style);
        plot.line(s.points.iter().map(|p| (p.0, p.1)).collect(), style);
        if !s.label.is_empty() {
            plot.legend(Swatch::Line(style), s.label.clone());
        }
    }
    plot.render()
}

/// A point with an interval, for scatter charts.
#[derive(Clone, Debug)]
pub struct Dot {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// The interval drawn as a whisker.
    pub whisker: Option<(f64, f64)>,
    /// Style index (colour and marker).
    pub style: usize,
    /// Text beside the point (e.g. the value of a point off the chart).
    pub label: Option<String>,
}

/// Points with whiskers, an optional horizontal rule (a threshold), and a
/// legend of `(style, label)`.
pub fn dots(
    id: &str,
    (title, width): (&str, f64),
    (x, y): (Axis, Axis),
    points: &[Dot],
    rule: Option<(f64, String)>,
    legend: &[(usize, String)],
) -> String {
    let left = 26.0
        + y.ticks
            .iter()
            .map(|(_, l)| text_width(l, 11.5))
            .fold(0.0, f64::max)
        + 8.0;
    let right = rule
        .as_ref()
        .map_or(18.0, |(_, l)| text_width(l, 11.0) + 12.0);
    let legend_h = if legend.is_empty() { 0.0 } else { 22.0 };
    let f = Frame {
        left,
        top: 14.0 + legend_h,
        width: width - left - right,
        height: 300.0 - 14.0 - legend_h - 50.0,
        x,
        y,
    };
    let mut out = open(id, title, width, 300.0);
    f.draw(&mut out, true);
    // Points above the axis (off the chart) sit on its top edge.
    let top = f.y.hi;
    if let Some((at, label)) = &rule {
        let y = f.py(*at);
        let _ = write!(
            out,
            "<path d=\"M{} {}H{}\" stroke=\"#8a1f11\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/><text class=\"val\" x=\"{}\" y=\"{}\">{}</text>",
            n(f.left),
            n(y),
            n(f.left + f.width),
            n(f.left + f.width + 4.0),
            n(y + 4.0),
            escape(label)
        );
    }
    for d in points {
        let s = STYLES[d.style % STYLES.len()];
        let (x, y) = (f.px(d.x), f.py(d.y.min(top)));
        if let Some((lo, hi)) = d.whisker {
            let _ = write!(
                out,
                "<path d=\"M{x} {}V{}M{} {}H{}M{} {}H{}\" stroke=\"{}\" stroke-width=\"1.3\"/>",
                n(f.py(lo)),
                n(f.py(hi)),
                n(f.px(d.x) - 4.0),
                n(f.py(lo)),
                n(f.px(d.x) + 4.0),
                n(f.px(d.x) - 4.0),
                n(f.py(hi)),
                n(f.px(d.x) + 4.0),
                s.color,
                x = n(x)
            );
        }
        let fill = if s.filled { s.color } else { "#fff" };
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3.8\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1.5\"/>",
            n(x),
            n(y),
            s.color
        );
        if let Some(label) = &d.label {
            let _ = write!(
                out,
                "<text class=\"val\" x=\"{}\" y=\"{}\">{}</text>",
                n(x + 7.0),
                n(y + 4.0),
                escape(label)
            );
        }
    }
    let mut lx = f.left;
    for (style, label) in legend {
        let s = STYLES[style % STYLES.len()];
        let fill = if s.filled { s.color } else { "#fff" };
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"16\" r=\"3.8\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"20\">{}</text>",
            n(lx + 5.0),
            s.color,
            n(lx + 14.0),
            escape(label)
        );
        lx += 30.0 + text_width(label, 12.0);
    }
    out.push_str("</svg>");
    out
}

/// A heat map cell's fill at `t` of the way from the smallest value (pale)
/// to the largest (dark blue).
fn heat_fill(t: f64) -> String {
    let shade = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        shade(236.0, 31.0),
        shade(242.0, 78.0),
        shade(250.0, 154.0)
    )
}

/// A target marked on a heat map: which cells meet it, and what it is.
pub struct Target<'a> {
    /// `meets[row][column]`, as `values`.
    pub meets: &'a [Vec<bool>],
    /// The target in words ("p95 time in port ≤ 4.0 h").
    pub words: String,
}

/// A heat map: `values[row][column]` (rows are the second factor, drawn
/// bottom to top), each cell labelled with `text`, and a colour legend
/// from the smallest value to the largest (top right). With a `target`,
/// the cells that meet it are outlined and the legend says so.
pub fn heatmap(
    id: &str,
    title: &str,
    (x_title, columns): (&str, &[String]),
    (y_title, rows): (&str, &[String]),
    values: &[Vec<Option<f64>>],
    text: &dyn Fn(f64) -> String,
    target: Option<&Target>,
) -> String {
    let label_w = rows.iter().map(|r| text_width(r, 11.5)).fold(0.0, f64::max);
    let left = 30.0 + label_w + 8.0;
    let width = FULL;
    let cell_w = ((width - left - 20.0) / columns.len().max(1) as f64).max(10.0);
    let cell_h = (260.0 / rows.len().max(1) as f64).clamp(18.0, 40.0);
    let top = 30.0;
    let height =
        top + cell_h * rows.len() as f64 + 56.0 + if target.is_some() { 18.0 } else { 0.0 };
    let (lo, hi) = values
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let mut out = open(id, title, width, height);
    for (r, row) in values.iter().enumerate() {
        let y = top + cell_h * (rows.len() - 1 - r) as f64;
        for (c, v) in row.iter().enumerate() {
            let x = left + cell_w * c as f64;
            let (fill, ink) = match v {
                Some(v) => {
                    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                    // From pale to dark blue; dark cells get white text.
                    (heat_fill(t), if t > 0.55 { "#fff" } else { "#111" })
                }
                None => ("#f4f4f4".to_owned(), "#777"),
            };
            let label = v.map_or("n/a".to_owned(), text);
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#fff\"/>",
                n(x),
                n(y),
                n(cell_w),
                n(cell_h)
            );
            if text_width(&label, 11.0) < cell_w - 4.0 {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" style=\"font-size:11px;fill:{ink}\">{}</text>",
                    n(x + cell_w / 2.0),
                    n(y + cell_h / 2.0 + 4.0),
                    escape(&label)
                );
            }
        }
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            n(left - 6.0),
            n(y + cell_h / 2.0 + 4.0),
            escape(&rows[r])
        );
    }
    if let Some(t) = target {
        // Outlines last, over every cell, so a neighbour's fill does not
        // hide them.
        for (r, row) in t.meets.iter().enumerate().take(rows.len()) {
            let y = top + cell_h * (rows.len() - 1 - r) as f64;
            for (c, _) in row.iter().enumerate().filter(|(_, m)| **m) {
                let _ = write!(
                    out,
                    "<rect class=\"meets\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#d95f02\" stroke-width=\"3\"/>",
                    n(left + cell_w * c as f64 + 1.5),
                    n(y + 1.5),
                    n(cell_w - 3.0),
                    n(cell_h - 3.0)
                );
            }
        }
    }
    if lo.is_finite() && hi.is_finite() {
        // The legend: the smallest value, ten swatches, the largest.
        let (lo_text, hi_text) = (text(lo), text(hi));
        let swatches = 10;
        let lx = width - 20.0 - 12.0 * swatches as f64 - text_width(&hi_text, 11.0) - 6.0;
        let _ = write!(
            out,
            "<g class=\"heat-legend\"><title>colour scale: {} (pale) to {} (dark)</title><text class=\"tick\" x=\"{}\" y=\"18\" text-anchor=\"end\">{}</text>",
            escape(&lo_text),
            escape(&hi_text),
            n(lx - 4.0),
            escape(&lo_text)
        );
        for i in 0..swatches {
            let t = if hi > lo {
                i as f64 / (swatches - 1) as f64
            } else {
                0.5
            };
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{}\"/>",
                n(lx + 12.0 * i as f64),
                heat_fill(t)
            );
        }
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"18\">{}</text></g>",
            n(lx + 12.0 * swatches as f64 + 4.0),
            escape(&hi_text)
        );
    }
    let bottom = top + cell_h * rows.len() as f64;
    let stride = columns
        .iter()
        .map(|c| text_width(c, 11.5) + 8.0)
        .fold(1.0, f64::max)
        / cell_w;
    let stride = stride.ceil().max(1.0) as usize;
    for (c, label) in columns.iter().enumerate().step_by(stride) {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(left + cell_w * (c as f64 + 0.5)),
            n(bottom + 16.0),
            escape(label)
        );
    }
    if let Some(t) = target {
        let _ = write!(
            out,
            "<g class=\"target-legend\"><rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"none\" stroke=\"#d95f02\" stroke-width=\"3\"/><text class=\"tick\" x=\"{}\" y=\"{}\">outlined: the mean meets {}</text></g>",
            n(left),
            n(bottom + 50.0),
            n(left + 20.0),
            n(bottom + 59.0),
            escape(&t.words)
        );
    }
    let _ = write!(
        out,
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text class=\"axis-title\" x=\"{}\" y=\"18\">rows: {}</text></svg>",
        n(left + cell_w * columns.len() as f64 / 2.0),
        n(bottom + 40.0),
        escape(x_title),
        n(left),
        escape(y_title)
    );
    out
}

/// One row of a tornado.
#[derive(Clone, Debug)]
pub struct Row {
    /// The parameter.
    pub label: String,
    /// Output at the low value, and its 95% interval.
    pub low: (f64, Option<[f64; 2]>),
    /// Output at the high value, and its 95% interval.
    pub high: (f64, Option<[f64; 2]>),
    /// Within the replication noise.
    pub noise: bool,
    /// Texts printed at the low and high ends ("1000/d").
    pub ends: (String, String),
}

/// A tornado: per row a bar from the output at the low value to the
/// output at the high value, around a line at the base output, widest
/// first (the caller's order), whiskers at both ends; bars within noise
/// are grey and hatched.
pub fn tornado(id: &str, title: &str, x: Axis, base: f64, rows: &[Row]) -> String {
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, 12.5))
        .fold(60.0, f64::max)
        .min(300.0);
    let row_h = 34.0;
    let top = 42.0;
    let height = top + row_h * rows.len() as f64 + 50.0;
    let f = Frame {
        left: label_w + 20.0,
        top,
        width: FULL - label_w - 20.0 - 110.0,
        height: row_h * rows.len() as f64,
        x,
        y: Axis::new("", 0.0, 1.0, Vec::new()),
    };
    let mut out = open(id, title, FULL, height);
    let _ = write!(
        out,
        "<defs><pattern id=\"{id}-noise\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"><rect width=\"6\" height=\"6\" fill=\"#e6e6e6\"/><path d=\"M0 6L6 0M-1 1L1 -1M5 7L7 5\" stroke=\"#999\" stroke-width=\"1.2\"/></pattern></defs>"
    );
    for (t, label) in &f.x.ticks {
        let x = f.px(*t);
        let _ = write!(
            out,
            "<path class=\"grid\" d=\"M{} {}V{}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(x),
            n(top),
            n(top + f.height),
            n(x),
            n(top + f.height + 17.0),
            escape(label)
        );
    }
    let _ = write!(
        out,
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        n(f.left + f.width / 2.0),
        n(top + f.height + 38.0),
        escape(&f.x.title)
    );
    let low_style = STYLES[1];
    let high_style = STYLES[0];
    for (i, r) in rows.iter().enumerate() {
        let yc = top + row_h * i as f64 + row_h / 2.0;
        let (a, b) = (f.px(r.low.0), f.px(r.high.0));
        let (x0, x1) = (a.min(b), a.max(b));
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\"{}>{}</text>",
            n(f.left - 8.0),
            n(yc + 4.0),
            if r.noise { " style=\"fill:#666\"" } else { "" },
            escape(&r.label)
        );
        let bar = |out: &mut String, from: f64, to: f64, fill: &str| {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{fill}\" stroke=\"#444\" stroke-width=\"0.6\"/>",
                n(from),
                n(yc - 8.0),
                n((to - from).max(1.0))
            );
        };
        let base_x = f.px(base);
        if r.noise {
            bar(&mut out, x0, x1, &format!("url(#{id}-noise)"));
        } else {
            // The low side and the high side of the base in their colours.
            let (lo_x, hi_x) = (a, b);
            bar(
                &mut out,
                lo_x.min(base_x),
                lo_x.max(base_x),
                low_style.light,
            );
            bar(
                &mut out,
                hi_x.min(base_x),
                hi_x.max(base_x),
                high_style.light,
            );
        }
        for ((_, ci), style) in [(r.low, low_style), (r.high, high_style)] {
            if let Some([lo, hi]) = ci {
                let _ = write!(
                    out,
                    "<path d=\"M{} {}H{}M{} {}V{}M{} {}V{}\" stroke=\"{}\" stroke-width=\"1.4\"/>",
                    n(f.px(lo)),
                    n(yc),
                    n(f.px(hi)),
                    n(f.px(lo)),
                    n(yc - 5.0),
                    n(yc + 5.0),
                    n(f.px(hi)),
                    n(yc - 5.0),
                    n(yc + 5.0),
                    style.color
                );
            }
        }
        // Texts beyond the bars and their whiskers.
        let reach =
            |(m, ci): (f64, Option<[f64; 2]>)| ci.map_or((m, m), |[lo, hi]| (lo.min(m), hi.max(m)));
        let (l1, h1) = reach(r.low);
        let (l2, h2) = reach(r.high);
        let (far_left, far_right) = (f.px(l1.min(l2)).min(x0), f.px(h1.max(h2)).max(x1));
        let (left_text, right_text) = if a <= b {
            (&r.ends.0, &r.ends.1)
        } else {
            (&r.ends.1, &r.ends.0)
        };
        if r.noise {
            let _ = write!(
                out,
                "<text class=\"val\" x=\"{}\" y=\"{}\">within noise ({} to {})</text>",
                n(far_right + 6.0),
                n(yc + 4.0),
                escape(&r.ends.0),
                escape(&r.ends.1)
            );
        } else {
            let _ = write!(
                out,
                "<text class=\"val\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text class=\"val\" x=\"{}\" y=\"{}\">{}</text>",
                n(far_left - 6.0),
                n(yc + 4.0),
                escape(left_text),
                n(far_right + 6.0),
                n(yc + 4.0),
                escape(right_text)
            );
        }
    }
    let bx = f.px(base);
    let _ = write!(
        out,
        "<path d=\"M{} {}V{}\" stroke=\"#111\" stroke-width=\"1.6\"/><text class=\"val\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">base</text>",
        n(bx),
        n(top - 4.0),
        n(top + f.height),
        n(bx),
        n(top - 8.0)
    );
    let _ = write!(
        out,
        "<rect x=\"{}\" y=\"6\" width=\"20\" height=\"10\" fill=\"{}\" stroke=\"#444\" stroke-width=\"0.6\"/><text x=\"{}\" y=\"15\">low value</text><rect x=\"{}\" y=\"6\" width=\"20\" height=\"10\" fill=\"{}\" stroke=\"#444\" stroke-width=\"0.6\"/><text x=\"{}\" y=\"15\">high value</text><rect x=\"{}\" y=\"6\" width=\"20\" height=\"10\" fill=\"url(#{id}-noise)\" stroke=\"#444\" stroke-width=\"0.6\"/><text x=\"{}\" y=\"15\">within replication noise</text>",
        n(f.left),
        low_style.light,
        n(f.left + 26.0),
        n(f.left + 110.0),
        high_style.light,
        n(f.left + 136.0),
        n(f.left + 222.0),
        n(f.left + 248.0)
    );
    out.push_str("</svg>");
    out
}
