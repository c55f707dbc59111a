//! Hand-written SVG charts for the HTML report.
//!
//! The report must open offline, print well and come out byte-identical
//! for the same results, so charts are drawn here as plain SVG text: no
//! JavaScript, nothing fetched, coordinates rounded to a tenth of a unit.
//! Every chart gets titled axes, "nice" tick steps (1, 2, 2.5 or 5 × 10ⁿ)
//! and tick labels thinned until they cannot overlap. Series differ by dash
//! pattern, marker shape and hatching as well as by hue, so a greyscale
//! print stays readable. Charts scale through their `viewBox`, and sizes of
//! text are in viewBox units: a chart is laid out for the width it is shown
//! at, and the page's style sheet sets fonts and greys (classes `tick`,
//! `axis-title`, `grid`, `axis`, `val`, `panel-title`, `strong`).
//!
//! This file holds what every chart shares: escaping, ticks, series
//! styles, hatch patterns, markers and legends. [`Plot`] (`svg/plot.rs`)
//! draws x–y charts (lines, CI bands, bars, shaded spans, marked points);
//! [`HBars`] (`svg/bars.rs`) draws horizontal bar charts whose panels share
//! row labels (stages, Shapley shares).

use std::fmt::Write;

use super::format::number;

mod bars;
mod plot;

pub use bars::{Bar, HBars, Panel, row_label_width};
pub use plot::Plot;

/// Escapes text for HTML and SVG, in element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// The estimated width of `text` at `size` px in a sans-serif font.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// A "nice" step near `raw`: 1, 2, 2.5 or 5 times a power of ten (2.5
/// only from 25 up when `integer`, and never below 1 then).
pub fn nice_step(raw: f64, integer: bool) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = match f {
        f if f <= 1.0 => 1.0,
        f if f <= 2.0 => 2.0,
        f if f <= 2.5 && !(integer && mag < 10.0) => 2.5,
        f if f <= 5.0 => 5.0,
        _ => 10.0,
    };
    let step = nice * mag;
    if integer { step.max(1.0) } else { step }
}

/// About `target` ticks at a nice step, the first at or below `lo` and the
/// last at or above `hi`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    nice_ticks_of(lo, hi, target, false)
}

/// [`nice_ticks`], and with `integer` only whole numbers (a step of at
/// least 1, never 2.5): for an axis of counts such as lanes.
pub fn nice_ticks_of(lo: f64, hi: f64, target: usize, integer: bool) -> Vec<f64> {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => (lo, hi),
        (true, true) if lo == 0.0 => (0.0, 1.0),
        (true, true) => (lo.min(0.0), lo.max(0.0)),
        _ => (0.0, 1.0),
    };
    let step = nice_step((hi - lo) / target.max(1) as f64, integer);
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Decimals needed to label multiples of `step`.
pub fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(6)
}

/// How a series is drawn: hue, a dash pattern, a marker and a hatch.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Stroke colour.
    pub color: &'static str,
    /// Light tint of the colour, for fills.
    pub light: &'static str,
    /// `stroke-dasharray`, empty for solid.
    pub dash: &'static str,
    /// Marker shape: 0 circle, 1 square, 2 triangle, 3 diamond.
    pub marker: u8,
    /// Whether the marker is filled.
    pub filled: bool,
}

/// The series styles, chosen to differ in lightness, dash and marker.
pub const STYLES: [Style; 5] = [
    Style {
        color: "#1f4e9a",
        light: "#c9d8ef",
        dash: "",
        marker: 0,
        filled: true,
    },
    Style {
        color: "#c45100",
        light: "#f6d3b8",
        dash: "7 4",
        marker: 1,
        filled: false,
    },
    Style {
        color: "#2e7d4f",
        light: "#cde6d6",
        dash: "2 3",
        marker: 2,
        filled: true,
    },
    Style {
        color: "#6a3d9a",
        light: "#e0d3ee",
        dash: "10 3 2 3",
        marker: 3,
        filled: false,
    },
    Style {
        color: "#6b6b6b",
        light: "#dcdcdc",
        dash: "",
        marker: 0,
        filled: false,
    },
];

fn style(i: usize) -> Style {
    STYLES[i % STYLES.len()]
}

fn dash_attr(s: &Style) -> String {
    if s.dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{}\"", s.dash)
    }
}

/// A marker of style `s` centred on `(x, y)`.
fn marker(out: &mut String, s: &Style, x: f64, y: f64) {
    let fill = if s.filled { s.color } else { "#fff" };
    let paint = format!(
        "fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1.5\"",
        s.color
    );
    let _ = match s.marker {
        0 => write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" {paint}/>",
            n(x),
            n(y)
        ),
        1 => write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"6.5\" height=\"6.5\" {paint}/>",
            n(x - 3.25),
            n(y - 3.25)
        ),
        2 => write!(
            out,
            "<path d=\"M{} {}L{} {}L{} {}Z\" {paint}/>",
            n(x),
            n(y - 4.5),
            n(x + 4.2),
            n(y + 3.0),
            n(x - 4.2),
            n(y + 3.0)
        ),
        _ => write!(
            out,
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" {paint}/>",
            n(x),
            n(y - 4.5),
            n(x + 4.5),
            n(y),
            n(x),
            n(y + 4.5),
            n(x - 4.5),
            n(y)
        ),
    };
}

/// A `<pattern>` hatching style `i` (plain tint, diagonal, dots, cross).
fn pattern(out: &mut String, id: &str, i: usize) {
    let s = style(i);
    let body = match i % 4 {
        0 => String::new(),
        1 => format!(
            "<path d=\"M0 6L6 0M-1 1L1 -1M5 7L7 5\" stroke=\"{}\" stroke-width=\"1.4\"/>",
            s.color
        ),
        2 => format!("<circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"{}\"/>", s.color),
        _ => format!(
            "<path d=\"M0 3H6M3 0V6\" stroke=\"{}\" stroke-width=\"1\"/>",
            s.color
        ),
    };
    let _ = write!(
        out,
        "<pattern id=\"{id}-h{i}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"><rect width=\"6\" height=\"6\" fill=\"{}\"/>{body}</pattern>",
        s.light
    );
}

/// What a legend entry shows.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A line with a marker, in a style.
    Line(usize),
    /// A CI band, in a style.
    Band(usize),
    /// A hatched fill, in a style.
    Fill(usize),
    /// The grey of a shaded span.
    Shade,
}

/// An entry of a legend.
#[derive(Clone, Debug)]
pub struct LegendItem {
    /// What it shows.
    pub swatch: Swatch,
    /// Its text.
    pub label: String,
}

/// Height taken by a legend laid out in `width`, then its SVG at `(x, y)`.
fn legend(items: &[LegendItem], x: f64, y: f64, width: f64, id: &str) -> (f64, String) {
    let mut out = String::new();
    let (mut cx, mut cy) = (x, y);
    for item in items {
        let w = 34.0 + text_width(&item.label, 12.0) + 18.0;
        if cx > x && cx + w > x + width {
            cx = x;
            cy += 20.0;
        }
        swatch(&mut out, item.swatch, cx, cy + 8.0, id);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            n(cx + 34.0),
            n(cy + 12.0),
            escape(&item.label)
        );
        cx += w;
    }
    let height = if items.is_empty() { 0.0 } else { cy - y + 22.0 };
    (height, out)
}

fn swatch(out: &mut String, sw: Swatch, x: f64, y: f64, id: &str) {
    match sw {
        Swatch::Line(i) => {
            let s = style(i);
            let _ = write!(
                out,
                "<path d=\"M{} {}H{}\" stroke=\"{}\" stroke-width=\"2.2\"{}/>",
                n(x),
                n(y),
                n(x + 28.0),
                s.color,
                dash_attr(&s)
            );
            marker(out, &s, x + 14.0, y);
        }
        Swatch::Band(i) => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"28\" height=\"10\" fill=\"{}\" fill-opacity=\"0.45\"/>",
                n(x),
                n(y - 5.0),
                style(i).color
            );
        }
        Swatch::Fill(i) => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"28\" height=\"12\" fill=\"url(#{id}-h{i})\" stroke=\"{}\"/>",
                n(x),
                n(y - 6.0),
                style(i).color
            );
        }
        Swatch::Shade => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"28\" height=\"12\" fill=\"#e6e6e6\" stroke=\"#bbb\"/>",
                n(x),
                n(y - 6.0)
            );
        }
    }
}

/// An axis: its title (with the unit), its range and labelled ticks.
#[derive(Clone, Debug)]
pub struct Axis {
    /// Title, with the unit.
    pub title: String,
    /// Data value at the start of the axis.
    pub lo: f64,
    /// Data value at the end of the axis.
    pub hi: f64,
    /// Tick positions and their labels.
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis over about `target` nice ticks spanning `lo..=hi`, extended
    /// to the outer ticks, with numbers as labels.
    pub fn nice(title: impl Into<String>, lo: f64, hi: f64, target: usize) -> Axis {
        Axis::nice_of(title, lo, hi, target, false)
    }

    /// [`Axis::nice`] with whole-number ticks only when `integer`.
    pub fn nice_of(
        title: impl Into<String>,
        lo: f64,
        hi: f64,
        target: usize,
        integer: bool,
    ) -> Axis {
        let ticks = nice_ticks_of(lo, hi, target, integer);
        let step = if ticks.len() > 1 {
            ticks[1] - ticks[0]
        } else {
            1.0
        };
        let dec = decimals(step);
        Axis {
            title: title.into(),
            lo: ticks.first().copied().unwrap_or(0.0),
            hi: ticks.last().copied().unwrap_or(1.0),
            ticks: ticks.iter().map(|&t| (t, number(t, dec))).collect(),
        }
    }

    /// An axis over exactly `lo..=hi` with the given ticks.
    pub fn new(title: impl Into<String>, lo: f64, hi: f64, ticks: Vec<(f64, String)>) -> Axis {
        Axis {
            title: title.into(),
            lo,
            hi: if hi > lo { hi } else { lo + 1.0 },
            ticks,
        }
    }

    fn label_width(&self) -> f64 {
        self.ticks
            .iter()
            .map(|(_, l)| text_width(l, 11.5))
            .fold(0.0, f64::max)
    }

    /// Keeps every k-th label so that labels `space` apart never overlap.
    fn label_stride(&self, length: f64) -> usize {
        if self.ticks.len() < 2 {
            return 1;
        }
        let space = length / (self.ticks.len() - 1) as f64;
        ((self.label_width() + 10.0) / space.max(1.0))
            .ceil()
            .max(1.0) as usize
    }
}

fn open_svg(id: &str, title: &str, width: f64, height: f64) -> String {
    format!(
        "<svg id=\"{id}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-t\"><title id=\"{id}-t\">{}</title>",
        n(width),
        n(height),
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_one_two_two_and_a_half_or_five() {
        assert_eq!(nice_step(0.7, false), 1.0);
        assert_eq!(nice_step(1.6, false), 2.0);
        assert_eq!(nice_step(23.0, false), 25.0);
        assert_eq!(nice_step(2.2, true), 5.0);
        assert_eq!(nice_step(0.3, true), 1.0);
        assert_eq!(nice_step(340.0, false), 500.0);
        assert_eq!(nice_step(0.012, false), 0.02);
    }

    /// Issue 28: an axis of lanes from 1 to 4 has no tick at 2.5.
    #[test]
    fn integer_axes_tick_only_whole_numbers() {
        assert_eq!(
            nice_ticks(1.0, 4.0, 6),
            vec![1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]
        );
        assert_eq!(nice_ticks_of(1.0, 4.0, 6, true), vec![1.0, 2.0, 3.0, 4.0]);
        let a = Axis::nice_of("lanes", 2.0, 12.0, 6, true);
        let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2", "4", "6", "8", "10", "12"]);
        for (t, _) in &Axis::nice_of("lanes", 0.0, 3.0, 8, true).ticks {
            assert_eq!(t.fract(), 0.0, "{t}");
        }
    }

    #[test]
    fn nice_ticks_cover_the_range() {
        assert_eq!(
            nice_ticks(0.0, 1095.5, 5),
            vec![0.0, 250.0, 500.0, 750.0, 1000.0, 1250.0]
        );
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        let t = nice_ticks(-12.0, 130.0, 6);
        assert!(t[0] <= -12.0 && *t.last().expect("ticks") >= 130.0, "{t:?}");
        // Degenerate and non-finite ranges still give an axis.
        assert!(nice_ticks(5.0, 5.0, 4).len() >= 2);
        assert_eq!(nice_ticks(f64::NAN, 1.0, 4), nice_ticks(0.0, 1.0, 4));
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(50.0), 0);
    }

    #[test]
    fn tick_labels_are_thinned_not_overlapped() {
        let axis = Axis::nice("x", 0.0, 100_000.0, 20);
        // Labels like "100,000" need ~50 units; 20 ticks over 200 units
        // cannot all be labelled.
        assert!(axis.label_stride(200.0) > 1);
        assert_eq!(axis.label_stride(2000.0), 1);
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn coordinates_are_rounded_and_stable() {
        assert_eq!(n(1.04), "1");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(12.36), "12.4");
        assert_eq!(n(f64::NAN), "0");
    }
}
