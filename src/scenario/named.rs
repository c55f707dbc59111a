//! Arrays of named tables (`[[stages]]`, `[[classes]]`, `[[pools]]`,
//! `[[entrances]]`): finding an item
//! by name, patching one by name, and noticing items a patch drops.
//!
//! Stages and classes are identified by their `name`, not their position,
//! so that is how overrides (`--set stages.inspection.lanes=6`) and
//! patches address them. In a file that `extends` another (or a patch
//! given to `compare --intervention`), a `[stages.NAME]` table changes
//! that one stage key by key, like the top-level tables merge, and keeps
//! the rest of the list; naming a stage the base does not have is an
//! error with a did-you-mean. Restating the array (`[[stages]]`) still
//! replaces the whole list, as before; when that drops stages of the base,
//! the reader warns and names them, unless the file says it means it with
//! `replaces = ["stages"]`.

use std::ops::Range;

use serde_spanned::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::checks::Issue;
use super::error::{did_you_mean, one_of};

/// The top-level arrays whose items have names.
pub(super) const NAMED: [&str; 4] = ["stages", "classes", "pools", "entrances"];

/// "stage" for `stages`, "class" for `classes`, "item" otherwise.
pub(super) fn kind(array_key: &str) -> &'static str {
    match array_key {
        "stages" => "stage",
        "classes" => "class",
        "pools" => "pool",
        "entrances" => "entrance",
        _ => "item",
    }
}

/// The `name` of an item, if it is a table with a string name.
pub(super) fn name_of<'v>(item: &'v DeValue<'_>) -> Option<&'v str> {
    item.as_table()?.get("name")?.get_ref().as_str()
}

/// The names of the items, in order.
pub(super) fn names<'v>(items: &'v [Spanned<DeValue<'_>>]) -> Vec<&'v str> {
    items.iter().filter_map(|i| name_of(i.get_ref())).collect()
}

/// The index of the item called `name`.
pub(super) fn position(items: &[Spanned<DeValue<'_>>], name: &str) -> Option<usize> {
    items
        .iter()
        .position(|i| name_of(i.get_ref()) == Some(name))
}

/// Applies `[stages.NAME]` tables (`over`, at `span`) to the base's list:
/// each named item merges key by key, the patch's keys winning.
pub(super) fn patch<'a>(
    base: DeArray<'a>,
    over: DeTable<'a>,
    array_key: &str,
    issues: &mut Vec<Issue>,
) -> DeArray<'a> {
    let mut items: Vec<Spanned<DeValue<'a>>> = base.into_iter().collect();
    for (name, changes) in over {
        let Some(i) = position(&items, name.get_ref()) else {
            issues.push(unknown(&items, name.get_ref(), name.span(), array_key));
            continue;
        };
        let changes_span = changes.span();
        let DeValue::Table(changes) = changes.into_inner() else {
            issues.push(Issue {
                span: Some(changes_span),
                message: format!(
                    "expected a table of changes to {} `{}`, like [{array_key}.{}] with `lanes = 6` under it",
                    kind(array_key),
                    name.get_ref(),
                    name.get_ref()
                ),
                label: None,
                help: None,
            });
            continue;
        };
        let span = items[i].span();
        if let DeValue::Table(mut table) =
            std::mem::replace(items[i].get_mut(), DeValue::Boolean(false))
        {
            for (key, value) in changes {
                table.remove(key.get_ref().as_ref());
                table.insert(key, value);
            }
            items[i] = Spanned::new(span, DeValue::Table(table));
        }
    }
    items.into_iter().collect()
}

fn unknown(
    items: &[Spanned<DeValue<'_>>],
    name: &str,
    span: Range<usize>,
    array_key: &str,
) -> Issue {
    let names = names(items);
    let what = kind(array_key);
    let mut issue = Issue {
        span: Some(span),
        message: format!("no {what} named `{name}` in the base scenario to patch"),
        label: None,
        help: Some(format!(
            "a [{array_key}.NAME] table changes an existing {what}; to add or remove {array_key}, restate the whole [[{array_key}]] list"
        )),
    };
    if let Some(near) = did_you_mean(name, &names) {
        issue.label = Some(format!("did you mean `{near}`?"));
    }
    issue
}

/// An issue for `[stages.NAME]` tables in a file that has no base list.
pub(super) fn nothing_to_patch(key_span: Range<usize>, array_key: &str) -> Issue {
    Issue {
        span: Some(key_span),
        message: format!(
            "[{array_key}.NAME] tables patch the {array_key} of a base scenario, but there is no base list to patch"
        ),
        label: None,
        help: Some(format!(
            "list them as [[{array_key}]] tables, or `extends` a scenario that has them"
        )),
    }
}

/// Names of `base`'s items that `over` (a replacing list) no longer has.
pub(super) fn dropped(base: &[Spanned<DeValue<'_>>], over: &[Spanned<DeValue<'_>>]) -> Vec<String> {
    let kept = names(over);
    names(base)
        .into_iter()
        .filter(|n| !kept.contains(n))
        .map(str::to_owned)
        .collect()
}

/// The warning for a list that replaced `total` items of the base and
/// dropped `gone` of them.
pub(super) fn dropped_warning(array_key: &str, gone: &[String], total: usize) -> String {
    let what = kind(array_key);
    // "class" takes "es", as "classes" does.
    let suffix = if what.ends_with('s') { "es" } else { "s" };
    let plural = if gone.len() == 1 { "" } else { suffix };
    let quoted: Vec<String> = gone.iter().map(|g| format!("`{g}`")).collect();
    let names = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    format!(
        "this [[{array_key}]] list replaces the base's {total} {what}{} and drops {} {what}{plural}: {}; to change one {what}, patch it with a [{array_key}.NAME] table instead, or add `replaces = [\"{array_key}\"]` to say the list is meant to replace the base's",
        if total == 1 { "" } else { suffix },
        gone.len(),
        names
    )
}

/// Reads and removes a file's `replaces = ["stages", …]`: the arrays it
/// replaces on purpose. Unknown names are issues.
pub(super) fn take_replaces(table: &mut DeTable<'_>, issues: &mut Vec<Issue>) -> Vec<String> {
    let Some(value) = table.remove("replaces") else {
        return Vec::new();
    };
    let expected = || {
        format!(
            "expected a list of the arrays this file replaces on purpose, like `replaces = [\"stages\"]` ({})",
            one_of(&NAMED)
        )
    };
    let DeValue::Array(items) = value.get_ref() else {
        issues.push(Issue {
            span: Some(value.span()),
            message: expected(),
            label: None,
            help: None,
        });
        return Vec::new();
    };
    let mut list = Vec::new();
    for item in items.iter() {
        match item.get_ref().as_str() {
            Some(name) if NAMED.contains(&name) => list.push(name.to_owned()),
            Some(name) => {
                let mut issue = Issue {
                    span: Some(item.span()),
                    message: format!(
                        "`replaces` names `{name}`, which is not a list of named tables"
                    ),
                    label: None,
                    help: Some(format!("expected {}", one_of(&NAMED))),
                };
                if let Some(near) = did_you_mean(name, &NAMED) {
                    issue.label = Some(format!("did you mean `{near}`?"));
                }
                issues.push(issue);
            }
            None => issues.push(Issue {
                span: Some(item.span()),
                message: expected(),
                label: None,
                help: None,
            }),
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_class_is_spelt_right() {
        let w = dropped_warning("classes", &["a".into(), "b".into()], 3);
        assert!(
            w.contains("the base's 3 classes and drops 2 classes:"),
            "{w}"
        );
        let w = dropped_warning("stages", &["a".into()], 2);
        assert!(w.contains("the base's 2 stages and drops 1 stage:"), "{w}");
    }
}
