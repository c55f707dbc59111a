//! The building blocks every portsim page shares: the document shell with
//! its inline style sheet, the header, section headings, figures, notices,
//! cards and plain tables.
//!
//! Pages are written with [maud](https://maud.lambda.xyz/): its `html!`
//! macro is compiled with the crate, so a page is ordinary Rust with its
//! markup checked at build time, and every value spliced in with `(x)` is
//! escaped unless it is explicitly wrapped in [`PreEscaped`]. That makes
//! escaping the default instead of a call each page must remember, which
//! matters because scenario names, descriptions, stage and intervention
//! names are user text. maud was chosen over askama because portsim's
//! pages are many small pieces assembled by Rust code (tables with a row
//! per stage, a card per metric, a figure per chart) rather than a few
//! large documents: functions returning [`Markup`] compose the way the
//! code already does, with no template files to keep in step with it, and
//! maud serves the same pages to a web framework (axum) when portsim gets
//! a web app.
//!
//! The only pre-escaped text a page may hold is an SVG chart from
//! [`crate::report::svg`] (which escapes its own labels) and the style
//! sheet; [`figure`] is the one place charts enter a page. A page has no
//! script and no URL: styles are inline, charts are inline SVG.
//!
//! Other pages (sweeps, plans, sensitivity, the web app) are built from the
//! same pieces: [`document`] for the shell (with extra CSS if they need
//! it), [`header`], [`section`], [`figure`], [`notices`], [`cards`] and
//! [`table`] for text tables.

pub use maud::{Markup, PreEscaped, html};

/// The style sheet shared by every page.
pub const CSS: &str = include_str!("report.css");

/// A whole page: doctype, head with the style sheet (plus `extra_css`),
/// and `body` inside `<main>`. Ends with a newline.
pub fn document(title: &str, extra_css: &str, body: Markup) -> String {
    let page = html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="portsim";
                title { (title) }
                style { (PreEscaped(CSS)) (PreEscaped(extra_css)) }
            }
            body { main { (body) } }
        }
    };
    page.into_string() + "\n"
}

/// Unique ids for the charts of one page.
#[derive(Debug, Default)]
pub struct Ids(usize);

impl Ids {
    /// The next id: `c1`, `c2`, …
    pub fn fresh(&mut self) -> String {
        self.0 += 1;
        format!("c{}", self.0)
    }
}

/// The page header: a kicker line, the title, and any further content
/// (a description, the sides of a comparison, a meta line).
pub fn header(kicker: &str, title: &str, rest: Markup) -> Markup {
    html! {
        header {
            p.kicker { (kicker) }
            h1 { (title) }
            (rest)
        }
    }
}

/// A section heading with an optional introduction.
pub fn section(title: &str, intro: &str) -> Markup {
    html! {
        h2 { (title) }
        @if !intro.is_empty() { p.intro { (intro) } }
    }
}

/// A figure: a caption, one chart and an optional note.
///
/// `svg` must come from [`crate::report::svg`] (or a chart module built on
/// it), which escapes every label it draws; it is the only markup a page
/// takes unescaped.
pub fn figure(caption: &str, svg: String, note: Option<Markup>) -> Markup {
    html! {
        figure {
            figcaption { (caption) }
            (PreEscaped(svg))
            @if let Some(note) = note { p.note { (note) } }
        }
    }
}

/// A notice box listing `items` (warnings, findings, incomplete runs);
/// nothing when there are none.
pub fn notices(items: &[String]) -> Markup {
    let items: Vec<Markup> = items.iter().map(|item| html! { (item) }).collect();
    notice_list(&items)
}

/// A notice box listing `items`, each already marked up (a finding's
/// names in `<code>`); nothing when there are none.
pub fn notice_list(items: &[Markup]) -> Markup {
    html! {
        @if !items.is_empty() {
            div.notice role="note" {
                ul { @for item in items { li { (item) } } }
            }
        }
    }
}

/// One card of a row of key figures.
#[derive(Debug, Default)]
pub struct Card {
    /// The metric's label.
    pub label: String,
    /// Lines above the big figure (for a change: "before → after").
    pub above: Vec<String>,
    /// The big figure.
    pub big: String,
    /// Lines below it (its interval, percentiles).
    pub below: Vec<String>,
    /// A verdict badge: its class (`improved`, `worsened`, …) and words.
    pub badge: Option<(&'static str, &'static str)>,
}

/// A row of cards.
pub fn cards(cards: &[Card]) -> Markup {
    html! {
        div.cards {
            @for c in cards {
                div.card {
                    div.k { (c.label) }
                    @for line in &c.above { div.sub { (line) } }
                    div.big { (c.big) }
                    @for line in &c.below { div.sub { (line) } }
                    @if let Some((class, words)) = c.badge {
                        div class={ "v " (class) } { (words) }
                    }
                }
            }
        }
    }
}

/// A compact table of text cells: `head` is the header row, cells from
/// column `numeric_from` on are right-aligned numbers.
pub fn table(head: &[&str], rows: &[Vec<String>], numeric_from: usize) -> Markup {
    html! {
        table.metrics.compact {
            thead { tr { @for h in head { th { (h) } } } }
            tbody {
                @for row in rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            @if i == 0 { th { (cell) } }
                            @else if i >= numeric_from { td.num { (cell) } }
                            @else { td { (cell) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_everywhere() {
        let evil = "<script>x</script> & \"q\"";
        let page = document(
            evil,
            "",
            html! {
                (header(evil, evil, html! {}))
                (section(evil, evil))
                (notices(&[evil.to_owned()]))
                (cards(&[Card { label: evil.into(), big: evil.into(), ..Card::default() }]))
                (table(&[evil], &[vec![evil.to_owned(), evil.to_owned()]], 1))
            },
        );
        assert!(!page.contains("<script"), "{page}");
        assert_eq!(page.matches("&lt;script&gt;").count(), 11, "{page}");
        assert!(page.contains("&quot;q&quot;"));
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn figures_take_the_chart_as_is() {
        let f = figure("t", "<svg><text>&amp;</text></svg>".into(), None).into_string();
        assert_eq!(
            f,
            "<figure><figcaption>t</figcaption><svg><text>&amp;</text></svg></figure>"
        );
        let mut ids = Ids::default();
        assert_eq!(
            (ids.fresh(), ids.fresh()),
            ("c1".to_owned(), "c2".to_owned())
        );
    }
}
