//! x–y charts: lines, CI bands, bars, shaded spans, marked points, dots
//! and error bars over two numeric axes, laid out once every mark is known (the legend's
//! height sets where the plotting area starts).

use std::fmt::Write;

use super::{
    Axis, LegendItem, Swatch, dash_attr, escape, legend, marker, n, open_svg, pattern, style,
    text_width,
};

/// One mark of a [`Plot`], in data coordinates.
#[derive(Clone, Debug)]
enum Mark {
    Shade(f64, f64),
    Band(Vec<(f64, f64, f64)>, usize),
    Bars(Vec<(f64, f64)>, f64, usize),
    Line(Vec<(f64, f64)>, usize, bool),
    Point(f64, f64, usize),
    Dots(Vec<(f64, f64)>, usize),
    Whiskers(Vec<(f64, f64, f64)>, usize, bool),
    Rule(f64, String),
}

/// An x–y chart, drawn in [`Plot::render`].
#[derive(Clone, Debug)]
pub struct Plot {
    id: String,
    title: String,
    width: f64,
    height: f64,
    x: Axis,
    y: Axis,
    marks: Vec<Mark>,
    legend: Vec<LegendItem>,
}

impl Plot {
    /// An empty chart `width` × `height` (viewBox units) with element ids
    /// prefixed by `id` (unique in the page) and an accessible `title`.
    pub fn new(id: &str, title: &str, size: (f64, f64), x: Axis, y: Axis) -> Plot {
        Plot {
            id: id.to_owned(),
            title: title.to_owned(),
            width: size.0,
            height: size.1,
            x,
            y,
            marks: Vec::new(),
            legend: Vec::new(),
        }
    }

    /// Adds a legend entry.
    pub fn legend(&mut self, swatch: Swatch, label: impl Into<String>) -> &mut Self {
        self.legend.push(LegendItem {
            swatch,
            label: label.into(),
        });
        self
    }

    /// A grey span of x (e.g. hours when the gate is closed).
    pub fn shade(&mut self, x0: f64, x1: f64) -> &mut Self {
        self.marks.push(Mark::Shade(x0, x1));
        self
    }

    /// A band between `(x, lo, hi)` points.
    pub fn band(&mut self, points: Vec<(f64, f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Band(points, style));
        self
    }

    /// Vertical bars centred on `(x, value)`, `width` in x units.
    pub fn bars(&mut self, points: Vec<(f64, f64)>, width: f64, style: usize) -> &mut Self {
        self.marks.push(Mark::Bars(points, width, style));
        self
    }

    /// A line through the points, with markers on some of them.
    pub fn line(&mut self, points: Vec<(f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Line(points, style, true));
        self
    }

    /// A line through the points without markers (for dense curves whose
    /// marked points mean something, see [`Plot::point`]).
    pub fn curve(&mut self, points: Vec<(f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Line(points, style, false));
        self
    }

    /// A marker at `(x, y)` with a dotted drop line to the x axis.
    pub fn point(&mut self, x: f64, y: f64, style: usize) -> &mut Self {
        self.marks.push(Mark::Point(x, y, style));
        self
    }

    /// Markers alone at each point (a scatter, a QQ plot).
    pub fn dots(&mut self, points: Vec<(f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Dots(points, style));
        self
    }

    /// Error bars: a vertical line from `lo` to `hi` at each `(x, lo, hi)`,
    /// with short caps.
    pub fn whiskers(&mut self, points: Vec<(f64, f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Whiskers(points, style, true));
        self
    }

    /// Horizontal error bars: a line from `lo` to `hi` at each
    /// `(y, lo, hi)`, with short caps.
    pub fn hwhiskers(&mut self, points: Vec<(f64, f64, f64)>, style: usize) -> &mut Self {
        self.marks.push(Mark::Whiskers(points, style, false));
        self
    }

    /// A horizontal reference line at `y`, labelled (briefly) to the right
    /// of the plotting area.
    pub fn rule(&mut self, y: f64, label: impl Into<String>) -> &mut Self {
        self.marks.push(Mark::Rule(y, label.into()));
        self
    }

    /// The chart as an `<svg>` element.
    pub fn render(&self) -> String {
        let left = 26.0 + self.y.label_width() + 8.0;
        let right = self
            .marks
            .iter()
            .map(|m| match m {
                Mark::Rule(_, label) => text_width(label, 11.0) + 10.0,
                _ => 0.0,
            })
            .fold(18.0, f64::max);
        let (legend_h, legend_svg) =
            legend(&self.legend, left, 8.0, self.width - left - right, &self.id);
        let frame = Frame {
            left,
            top: 14.0 + legend_h,
            width: self.width - left - right,
            height: self.height - 14.0 - legend_h - 50.0,
            x: &self.x,
            y: &self.y,
        };
        let mut out = open_svg(&self.id, &self.title, self.width, self.height);
        let mut defs = String::new();
        for m in &self.marks {
            if let Mark::Bars(_, _, s) = m {
                pattern(&mut defs, &self.id, *s);
            }
        }
        for item in &self.legend {
            if let Swatch::Fill(s) = item.swatch {
                pattern(&mut defs, &self.id, s);
            }
        }
        if !defs.is_empty() {
            let _ = write!(out, "<defs>{defs}</defs>");
        }
        let layers: [&dyn Fn(&Mark) -> bool; 3] = [
            &|m| matches!(m, Mark::Shade(..)),
            &|m| matches!(m, Mark::Band(..) | Mark::Bars(..)),
            &|m| {
                matches!(
                    m,
                    Mark::Line(..)
                        | Mark::Point(..)
                        | Mark::Dots(..)
                        | Mark::Whiskers(..)
                        | Mark::Rule(..)
                )
            },
        ];
        for (i, layer) in layers.iter().enumerate() {
            if i == 1 {
                frame.grid(&mut out);
            }
            for m in self.marks.iter().filter(|m| layer(m)) {
                frame.mark(&mut out, m, &self.id);
            }
        }
        frame.axes(&mut out);
        out.push_str(&legend_svg);
        out.push_str("</svg>");
        out
    }
}

/// The plotting area of a [`Plot`] and its scales.
struct Frame<'a> {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    x: &'a Axis,
    y: &'a Axis,
}

impl Frame<'_> {
    fn px(&self, x: f64) -> f64 {
        let t = ((x - self.x.lo) / (self.x.hi - self.x.lo)).clamp(-0.01, 1.01);
        self.left + t * self.width
    }

    fn py(&self, y: f64) -> f64 {
        let t = ((y - self.y.lo) / (self.y.hi - self.y.lo)).clamp(-0.01, 1.01);
        self.top + self.height - t * self.height
    }

    fn bottom(&self) -> f64 {
        self.top + self.height
    }

    fn grid(&self, out: &mut String) {
        for (t, _) in &self.y.ticks {
            let _ = write!(
                out,
                "<path class=\"grid\" d=\"M{} {}H{}\"/>",
                n(self.left),
                n(self.py(*t)),
                n(self.left + self.width)
            );
        }
    }

    fn axes(&self, out: &mut String) {
        let (l, b) = (self.left, self.bottom());
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{} {}V{}H{}\"/>",
            n(l),
            n(self.top),
            n(b),
            n(l + self.width)
        );
        let stride = self.x.label_stride(self.width);
        for (i, (t, label)) in self.x.ticks.iter().enumerate() {
            let x = self.px(*t);
            let _ = write!(out, "<path class=\"axis\" d=\"M{} {}v5\"/>", n(x), n(b));
            if i % stride == 0 {
                let _ = write!(
                    out,
                    "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    n(x),
                    n(b + 18.0),
                    escape(label)
                );
            }
        }
        let ystride = ((26.0 * (self.y.ticks.len().max(2) - 1) as f64) / self.height)
            .ceil()
            .max(1.0) as usize;
        for (i, (t, label)) in self.y.ticks.iter().enumerate() {
            let y = self.py(*t);
            let _ = write!(out, "<path class=\"axis\" d=\"M{} {}h-5\"/>", n(l), n(y));
            if i % ystride == 0 {
                let _ = write!(
                    out,
                    "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    n(l - 8.0),
                    n(y + 4.0),
                    escape(label)
                );
            }
        }
        let _ = write!(
            out,
            "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(l + self.width / 2.0),
            n(b + 40.0),
            escape(&self.x.title)
        );
        let (tx, ty) = (14.0, self.top + self.height / 2.0);
        let _ = write!(
            out,
            "<text class=\"axis-title\" transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
            n(tx),
            n(ty),
            escape(&self.y.title)
        );
    }

    fn mark(&self, out: &mut String, m: &Mark, id: &str) {
        match m {
            Mark::Shade(x0, x1) => {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#e6e6e6\"/>",
                    n(self.px(*x0)),
                    n(self.top),
                    n(self.px(*x1) - self.px(*x0)),
                    n(self.height)
                );
            }
            Mark::Band(points, s) => self.band(out, points, *s),
            Mark::Bars(points, w, s) => self.bars(out, points, *w, *s, id),
            Mark::Line(points, s, markers) => self.line(out, points, *s, *markers),
            Mark::Point(x, y, s) => {
                let st = style(*s);
                let (cx, cy) = (self.px(*x), self.py(*y));
                let _ = write!(
                    out,
                    "<path d=\"M{} {}V{}\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"2 2\"/>",
                    n(cx),
                    n(cy),
                    n(self.bottom()),
                    st.color
                );
                marker(out, &st, cx, cy);
            }
            Mark::Dots(points, s) => {
                let st = style(*s);
                for &(x, y) in points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()) {
                    marker(out, &st, self.px(x), self.py(y));
                }
            }
            Mark::Whiskers(points, s, vertical) => self.whiskers(out, points, *s, *vertical),
            Mark::Rule(y, label) => {
                let py = self.py(*y);
                let _ = write!(
                    out,
                    "<path d=\"M{} {}H{}\" stroke=\"#777\" stroke-dasharray=\"4 3\"/><text class=\"val\" x=\"{}\" y=\"{}\">{}</text>",
                    n(self.left),
                    n(py),
                    n(self.left + self.width),
                    n(self.left + self.width + 5.0),
                    n(py + 4.0),
                    escape(label)
                );
            }
        }
    }

    fn whiskers(&self, out: &mut String, points: &[(f64, f64, f64)], s: usize, vertical: bool) {
        let color = style(s).color;
        for &(at, lo, hi) in points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite() && p.2.is_finite())
        {
            let d = if vertical {
                let (x, y0, y1) = (self.px(at), self.py(lo), self.py(hi));
                format!(
                    "M{} {}V{}M{} {}h8M{} {}h8",
                    n(x),
                    n(y0),
                    n(y1),
                    n(x - 4.0),
                    n(y0),
                    n(x - 4.0),
                    n(y1)
                )
            } else {
                let (y, x0, x1) = (self.py(at), self.px(lo), self.px(hi));
                format!(
                    "M{} {}H{}M{} {}v8M{} {}v8",
                    n(x0),
                    n(y),
                    n(x1),
                    n(x0),
                    n(y - 4.0),
                    n(x1),
                    n(y - 4.0)
                )
            };
            let _ = write!(
                out,
                "<path d=\"{d}\" stroke=\"{color}\" stroke-width=\"1.5\" fill=\"none\"/>"
            );
        }
    }

    fn band(&self, out: &mut String, points: &[(f64, f64, f64)], s: usize) {
        if points.len() < 2 {
            return;
        }
        let mut d = String::new();
        for (i, (x, _, hi)) in points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if i == 0 { "M" } else { "L" },
                n(self.px(*x)),
                n(self.py(*hi))
            );
        }
        for (x, lo, _) in points.iter().rev() {
            let _ = write!(d, "L{} {}", n(self.px(*x)), n(self.py(*lo)));
        }
        let _ = write!(
            out,
            "<path d=\"{d}Z\" fill=\"{}\" fill-opacity=\"0.22\"/>",
            style(s).color
        );
    }

    fn bars(&self, out: &mut String, points: &[(f64, f64)], w: f64, s: usize, id: &str) {
        let base = self.py(0.0f64.max(self.y.lo));
        for (x, v) in points.iter().filter(|p| p.1.is_finite()) {
            let (x0, x1) = (self.px(x - w / 2.0), self.px(x + w / 2.0));
            let y = self.py(*v);
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#{id}-h{s})\" stroke=\"{}\" stroke-width=\"0.8\"/>",
                n(x0),
                n(y.min(base)),
                n(x1 - x0),
                n((base - y).abs()),
                style(s).color
            );
        }
    }

    fn line(&self, out: &mut String, points: &[(f64, f64)], s: usize, markers: bool) {
        let st = style(s);
        let pts: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|&(x, y)| (self.px(x), self.py(y)))
            .collect();
        let coords: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
            .collect();
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\"{} points=\"{}\"/>",
            st.color,
            dash_attr(&st),
            coords.join(" ")
        );
        // Markers on at most ~25 points, evenly spaced, so that the series
        // can be told apart in greyscale without clutter.
        // Past 60 points markers would fall on arbitrary days of a cycle
        // (weekends, say) and read as data; the dash alone tells lines apart.
        if markers && pts.len() <= 60 {
            let every = pts.len().div_ceil(25).max(1);
            for (x, y) in pts.iter().step_by(every) {
                marker(out, &st, *x, *y);
            }
        }
    }
}
