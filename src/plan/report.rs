//! Plan output: text for a terminal (colour optional), a versioned JSON document, and Markdown
//! for a pull-request comment. Destroys and replacements of data come first and loudly.

use super::{Action, FileStatus, Plan};
use std::fmt::Write as _;

/// Version of the JSON format (`mlopsgen plan --format json`); bumped on incompatible change.
pub const JSON_VERSION: u32 = 1;

fn paint(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn action_color(a: Action) -> &'static str {
    match a {
        Action::Create => "32",
        Action::Update => "33",
        Action::Destroy | Action::Replace => "31",
    }
}

fn summary_line(plan: &Plan) -> String {
    let (add, change, destroy) = plan.counts();
    format!("Plan: {add} to add, {change} to change, {destroy} to destroy.")
}

/// The text report: resource summary, warnings, then the file diffs.
pub fn text(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    if !plan.has_changes() {
        out.push_str("No changes. generated/ is up to date.\n");
        return out;
    }
    for d in &plan.dirs {
        if d.files.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", paint(color, "1", &format!("generated/{}:", crate::diag::display_path(&d.dir))));
        for c in &d.changes {
            let detail = if c.action == Action::Update {
                format!(" ({} {})", c.attributes, if c.attributes == 1 { "attribute" } else { "attributes" })
            } else {
                String::new()
            };
            let flag = if c.holds_data && matches!(c.action, Action::Destroy | Action::Replace) {
                "  <-- holds data"
            } else {
                ""
            };
            let line = format!("  {} {}{}{}{}", c.action.symbol(), c.scope, c.address, detail, flag);
            let _ = writeln!(out, "{}", paint(color, action_color(c.action), &line));
        }
        for f in d.files.iter().filter(|f| f.status == FileStatus::HandEdited) {
            let _ = writeln!(
                out,
                "  ! {} was edited by hand: generate will refuse it (use --force to overwrite)",
                crate::diag::display_path(&f.path)
            );
        }
    }
    let _ = writeln!(out, "\n{}", paint(color, "1", &summary_line(plan)));
    for c in plan.destructive() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                color,
                "1;31",
                &format!(
                    "WARNING: {} {}{} holds data or keys: applying this {} it",
                    c.action.as_str(),
                    c.scope,
                    c.address,
                    if c.action == Action::Replace { "replaces" } else { "destroys" }
                )
            )
        );
    }
    for d in &plan.dirs {
        for f in &d.files {
            out.push('\n');
            for line in f.diff.lines() {
                let code = if line.starts_with("+++") || line.starts_with("---") {
                    "1"
                } else if line.starts_with('+') {
                    "32"
                } else if line.starts_with('-') {
                    "31"
                } else if line.starts_with("@@") {
                    "36"
                } else {
                    ""
                };
                let _ = writeln!(out, "{}", if code.is_empty() { line.to_string() } else { paint(color, code, line) });
            }
        }
    }
    out
}

/// The JSON document (documented in the README).
pub fn json(plan: &Plan) -> serde_json::Value {
    let (add, change, destroy) = plan.counts();
    serde_json::json!({
        "version": JSON_VERSION,
        "changes_present": plan.has_changes(),
        "summary": { "add": add, "change": change, "destroy": destroy, "destructive": plan.destructive().len() },
        "directories": plan.dirs.iter().map(|d| serde_json::json!({
            "directory": format!("generated/{}", crate::diag::display_path(&d.dir)),
            "changes": d.changes.iter().map(|c| serde_json::json!({
                "scope": c.scope,
                "address": c.address,
                "action": c.action.as_str(),
                "attributes": c.attributes,
                "holds_data": c.holds_data,
            })).collect::<Vec<_>>(),
            "files": d.files.iter().map(|f| serde_json::json!({
                "path": crate::diag::display_path(&f.path),
                "status": f.status.as_str(),
                "diff": f.diff,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Markdown for a pull-request comment: warnings, a summary table, collapsible diffs.
pub fn markdown(plan: &Plan, diagram: Option<&str>) -> String {
    let mut out = String::from("## mlopsgen plan\n\n");
    if !plan.has_changes() {
        out.push_str("No changes: `generated/` is up to date.\n");
        return out;
    }
    let destructive = plan.destructive();
    if !destructive.is_empty() {
        out.push_str("> [!CAUTION]\n> This change destroys or replaces objects that hold data or keys:\n");
        for c in destructive {
            let _ = writeln!(out, "> - **{}** `{}{}`", c.action.as_str(), c.scope, c.address);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    out.push_str("| directory | action | address | detail |\n| --- | --- | --- | --- |\n");
    for d in &plan.dirs {
        for c in &d.changes {
            let detail = match c.action {
                Action::Update if c.attributes == 1 => "1 attribute".to_string(),
                Action::Update => format!("{} attributes", c.attributes),
                _ if c.holds_data => "holds data".to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| `generated/{}` | {} {} | `{}{}` | {} |",
                crate::diag::display_path(&d.dir),
                c.action.symbol(),
                c.action.as_str(),
                c.scope,
                c.address,
                detail
            );
        }
    }
    out.push('\n');
    if let Some(d) = diagram {
        let _ = writeln!(
            out,
            "<details open><summary>What changes, in the platform (changed objects highlighted)</summary>\n\n```mermaid\n{d}```\n\n</details>\n"
        );
    }
    for d in &plan.dirs {
        for f in &d.files {
            let _ = writeln!(
                out,
                "<details><summary><code>{}</code> ({})</summary>\n\n```diff\n{}```\n\n</details>\n",
                crate::diag::display_path(&f.path),
                f.status.as_str(),
                f.diff
            );
        }
    }
    out
}
