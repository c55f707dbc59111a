//! Horizontal bar charts: row labels on the left and one or more panels
//! side by side, each with its own value axis, whiskers for 95% intervals
//! and the value printed after each bar (stages, Shapley shares).

use std::fmt::Write;

use super::{Axis, LegendItem, escape, legend, n, open_svg, pattern, style};

/// One bar of an [`HBars`] panel.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Length.
    pub value: f64,
    /// 95% interval, drawn as a whisker.
    pub ci: Option<[f64; 2]>,
    /// Series style (hatch and colour).
    pub style: usize,
    /// Drawn solid and dark (the bottleneck).
    pub highlight: bool,
    /// Text printed after the bar.
    pub text: String,
}

/// One panel of an [`HBars`] chart: an axis and, per row, its bars.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// The value axis (below the panel).
    pub axis: Axis,
    /// Bars of each row, in row order.
    pub rows: Vec<Vec<Bar>>,
    /// A dashed reference line at a value, with a label.
    pub reference: Option<(f64, String)>,
}

/// A horizontal bar chart: row labels on the left, then panels side by side.
#[derive(Clone, Debug)]
pub struct HBars {
    /// Element id prefix, unique in the page.
    pub id: String,
    /// Accessible title.
    pub title: String,
    /// Width in viewBox units.
    pub width: f64,
    /// Row labels, and whether each is emphasised.
    pub labels: Vec<(String, bool)>,
    /// Width kept for row labels at least, so that charts drawn one above
    /// the other line up.
    pub min_label_width: f64,
    /// Panels, left to right.
    pub panels: Vec<Panel>,
    /// Legend entries.
    pub legend: Vec<LegendItem>,
}

/// Longest row label drawn whole; longer ones are cut with an ellipsis.
const MAX_LABEL: usize = 30;

/// The width a row label of an [`HBars`] chart takes.
pub fn row_label_width(label: &str) -> f64 {
    let shown = label.chars().count().min(MAX_LABEL);
    shown as f64 * 12.5 * 0.6
}

impl HBars {
    /// The chart as an `<svg>` element.
    pub fn render(&self) -> String {
        let label_w = self
            .labels
            .iter()
            .map(|(l, _)| row_label_width(l))
            .fold(self.min_label_width, f64::max);
        let left = 12.0 + label_w + 12.0;
        let (legend_h, legend_svg) = legend(&self.legend, left, 6.0, self.width - left, &self.id);
        let per_row = self
            .panels
            .iter()
            .flat_map(|p| p.rows.iter().map(Vec::len))
            .max()
            .unwrap_or(1)
            .max(1);
        let row_h = (per_row as f64 * 14.0 + 10.0).max(24.0);
        let top = 10.0 + legend_h + 36.0;
        let plot_h = row_h * self.labels.len() as f64;
        let height = top + plot_h + 52.0;
        let mut out = open_svg(&self.id, &self.title, self.width, height);
        let mut defs = String::new();
        let mut styles: Vec<usize> = self
            .panels
            .iter()
            .flat_map(|p| p.rows.iter().flatten().map(|b| b.style))
            .collect();
        styles.sort_unstable();
        styles.dedup();
        for s in styles {
            pattern(&mut defs, &self.id, s);
        }
        let _ = write!(out, "<defs>{defs}</defs>");
        for (i, (label, strong)) in self.labels.iter().enumerate() {
            let y = top + row_h * (i as f64 + 0.5) + 4.0;
            let shown = if label.chars().count() > MAX_LABEL {
                format!("{}…", label.chars().take(MAX_LABEL - 1).collect::<String>())
            } else {
                label.clone()
            };
            let class = if *strong { " class=\"strong\"" } else { "" };
            let _ = write!(
                out,
                "<text{class} x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{}</title>{}</text>",
                n(left - 10.0),
                n(y),
                escape(label),
                escape(&shown)
            );
        }
        let gap = 28.0;
        let np = self.panels.len().max(1) as f64;
        let panel_w = (self.width - left - 8.0 - gap * (np - 1.0)) / np;
        for (k, panel) in self.panels.iter().enumerate() {
            let x0 = left + k as f64 * (panel_w + gap);
            let geometry = PanelGeometry {
                x0,
                width: panel_w - 74.0,
                top,
                row_h,
                plot_h,
                id: &self.id,
            };
            geometry.draw(&mut out, panel);
        }
        out.push_str(&legend_svg);
        out.push_str("</svg>");
        out
    }
}

/// Where one panel of an [`HBars`] chart goes.
struct PanelGeometry<'a> {
    x0: f64,
    width: f64,
    top: f64,
    row_h: f64,
    plot_h: f64,
    id: &'a str,
}

impl PanelGeometry<'_> {
    fn px(&self, axis: &Axis, v: f64) -> f64 {
        let t = ((v - axis.lo) / (axis.hi - axis.lo)).clamp(0.0, 1.0);
        self.x0 + t * self.width
    }

    fn draw(&self, out: &mut String, panel: &Panel) {
        let axis = &panel.axis;
        let bottom = self.top + self.plot_h;
        let _ = write!(
            out,
            "<text class=\"panel-title\" x=\"{}\" y=\"{}\">{}</text>",
            n(self.x0),
            n(self.top - 22.0),
            escape(&panel.title)
        );
        let stride = axis.label_stride(self.width);
        for (i, (t, label)) in axis.ticks.iter().enumerate() {
            let x = self.px(axis, *t);
            let _ = write!(
                out,
                "<path class=\"grid\" d=\"M{} {}V{}\"/><path class=\"axis\" d=\"M{} {}v5\"/>",
                n(x),
                n(self.top),
                n(bottom),
                n(x),
                n(bottom)
            );
            if i % stride == 0 {
                let _ = write!(
                    out,
                    "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    n(x),
                    n(bottom + 18.0),
                    escape(label)
                );
            }
        }
        let zero = self.px(axis, 0.0f64.clamp(axis.lo, axis.hi));
        let _ = write!(
            out,
            "<path class=\"axis\" d=\"M{} {}V{}M{} {}H{}\"/>",
            n(zero),
            n(self.top),
            n(bottom),
            n(self.x0),
            n(bottom),
            n(self.x0 + self.width)
        );
        let _ = write!(
            out,
            "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n(self.x0 + self.width / 2.0),
            n(bottom + 40.0),
            escape(&axis.title)
        );
        for (r, bars) in panel.rows.iter().enumerate() {
            let y_row = self.top + self.row_h * r as f64;
            let thick = ((self.row_h - 10.0) / bars.len().max(1) as f64).min(16.0);
            let y_first = y_row + (self.row_h - thick * bars.len() as f64) / 2.0;
            for (b, bar) in bars.iter().enumerate() {
                self.bar(out, axis, bar, zero, y_first + thick * b as f64, thick);
            }
        }
        if let Some((v, label)) = &panel.reference {
            let x = self.px(axis, *v);
            let _ = write!(
                out,
                "<path d=\"M{} {}V{}\" stroke=\"#444\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/><text class=\"val\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(x),
                n(self.top - 3.0),
                n(bottom),
                n(x),
                n(self.top - 6.0),
                escape(label)
            );
        }
    }

    fn bar(&self, out: &mut String, axis: &Axis, bar: &Bar, zero: f64, y: f64, thick: f64) {
        if !bar.value.is_finite() {
            return;
        }
        let st = style(bar.style);
        let end = self.px(axis, bar.value);
        let fill = if bar.highlight {
            st.color.to_owned()
        } else {
            format!("url(#{}-h{})", self.id, bar.style)
        };
        let h = (thick - 2.0).max(2.0);
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{}\"/>",
            n(zero.min(end)),
            n(y + 1.0),
            n((end - zero).abs().max(0.5)),
            n(h),
            st.color
        );
        let mut tip = end;
        if let Some([lo, hi]) = bar.ci.filter(|c| c[0].is_finite() && c[1].is_finite()) {
            let (a, b) = (self.px(axis, lo), self.px(axis, hi));
            let mid = y + 1.0 + h / 2.0;
            let _ = write!(
                out,
                "<path d=\"M{} {}H{}M{} {}v{}M{} {}v{}\" stroke=\"#111\" stroke-width=\"1.2\"/>",
                n(a),
                n(mid),
                n(b),
                n(a),
                n(mid - 4.0),
                n(8.0),
                n(b),
                n(mid - 4.0),
                n(8.0)
            );
            tip = if bar.value >= 0.0 {
                tip.max(b)
            } else {
                tip.min(a)
            };
        }
        let (tx, anchor) = if bar.value >= 0.0 {
            (tip + 5.0, "start")
        } else {
            (tip - 5.0, "end")
        };
        let _ = write!(
            out,
            "<text class=\"val\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            n(tx),
            n(y + 1.0 + h / 2.0 + 4.0),
            escape(&bar.text)
        );
    }
}
