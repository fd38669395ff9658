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

fn pipeline_line(plan: &Plan) -> Option<String> {
    let (add, change, remove) = plan.pipeline_counts();
    (add + change + remove > 0)
        .then(|| format!("Pipelines: {add} to add, {change} to change, {remove} to remove (steps and parameters)."))
}

/// Lines of a file's diff the default text shows (`--full`: all).
pub const DIFF_LINES: usize = 60;

/// GitHub's limit for a comment (characters); the Markdown stays under it.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// `--check`: per directory what changes, the summary, the warnings; no address list, no diff.
pub fn check_summary(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    if !plan.has_changes() {
        out.push_str("No changes. generated/ is up to date.\n");
        return out;
    }
    for d in plan.dirs.iter().filter(|d| !d.files.is_empty()) {
        let one = Plan { dirs: vec![d.clone()], module_sizes: plan.module_sizes.clone() };
        let (a, c, x) = one.counts();
        let mut parts = vec![format!("{a} to add, {c} to change, {x} to destroy")];
        if let Some((pa, pc, px)) = Some(one.pipeline_counts()).filter(|p| p.0 + p.1 + p.2 > 0) {
            parts.push(format!("pipelines {pa} to add, {pc} to change, {px} to remove"));
        }
        let files = d.files.len();
        if d.dir == std::path::Path::new("modules") || d.dir == std::path::Path::new("jenkins") {
            // Definitions and the Jenkinsfile: Terraform counts none of it.
            parts.clear();
        }
        parts.push(format!("{files} {} changed", if files == 1 { "file" } else { "files" }));
        let _ = writeln!(out, "generated/{}: {}", crate::diag::display_path(&d.dir), parts.join("; "));
        for f in d.files.iter().filter(|f| f.status == FileStatus::HandEdited) {
            let _ = writeln!(
                out,
                "  ! {} was edited by hand: generate will refuse it (use --force to overwrite)",
                crate::diag::display_path(&f.path)
            );
        }
    }
    let _ = writeln!(out, "\n{}", paint(color, "1", &summary_line(plan)));
    if let Some(p) = pipeline_line(plan) {
        let _ = writeln!(out, "{p}");
    }
    warnings(plan, color, &mut out);
    out
}

fn warnings(plan: &Plan, color: bool, out: &mut String) {
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
}

/// The text report: resource summary, warnings, then the file diffs (each capped at
/// [`DIFF_LINES`] lines unless `full`).
pub fn text(plan: &Plan, color: bool, full: bool) -> String {
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
    if let Some(p) = pipeline_line(plan) {
        let _ = writeln!(out, "{p}");
    }
    warnings(plan, color, &mut out);
    let mut capped = 0;
    for d in &plan.dirs {
        for f in &d.files {
            out.push('\n');
            let total = f.diff.lines().count();
            let shown = if full { total } else { total.min(DIFF_LINES) };
            if shown < total {
                capped += 1;
            }
            for line in f.diff.lines().take(shown) {
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
            if shown < total {
                let _ = writeln!(out, "... {} more lines of this diff (mlopsgen plan --full)", total - shown);
            }
        }
    }
    if capped > 0 {
        let _ =
            writeln!(out, "\n{capped} diffs were cut at {DIFF_LINES} lines: `mlopsgen plan --full` shows them whole.");
    }
    out
}

/// The JSON document (documented in the README).
pub fn json(plan: &Plan) -> serde_json::Value {
    let (add, change, destroy) = plan.counts();
    let (p_add, p_change, p_remove) = plan.pipeline_counts();
    serde_json::json!({
        "version": JSON_VERSION,
        "changes_present": plan.has_changes(),
        "summary": {
            "add": add, "change": change, "destroy": destroy, "destructive": plan.destructive().len(),
            "pipelines": { "add": p_add, "change": p_change, "remove": p_remove }
        },
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
    if let Some(p) = pipeline_line(plan) {
        let _ = writeln!(out, "{p}\n");
    }
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
    // The diffs, while they fit in one comment; then a note of what was left out.
    let note = |left: usize| {
        format!(
            "\n> [!NOTE]\n> {left} more file diffs do not fit in one comment (GitHub allows {MARKDOWN_LIMIT} characters): run `mlopsgen plan` locally or read the build's archived plan.\n"
        )
    };
    let all: Vec<_> = plan.dirs.iter().flat_map(|d| &d.files).collect();
    let mut used = out.chars().count();
    for (i, f) in all.iter().enumerate() {
        let block = format!(
            "<details><summary><code>{}</code> ({})</summary>\n\n```diff\n{}```\n\n</details>\n\n",
            crate::diag::display_path(&f.path),
            f.status.as_str(),
            f.diff
        );
        let (block_len, left) = (block.chars().count(), note(all.len() - i));
        if used + block_len + left.chars().count() > MARKDOWN_LIMIT {
            used += left.chars().count();
            out.push_str(&left);
            break;
        }
        used += block_len;
        out.push_str(&block);
    }
    // A table alone can exceed the limit on a huge change: cut it at a line.
    if used > MARKDOWN_LIMIT {
        let cut: String = out.chars().take(MARKDOWN_LIMIT - 200).collect();
        let cut = cut.rsplit_once('\n').map_or(cut.clone(), |(a, _)| a.to_string());
        out = cut
            + &format!(
                "\n\n> [!NOTE]\n> Cut to fit one comment (GitHub allows {MARKDOWN_LIMIT} characters): run `mlopsgen plan` locally.\n"
            );
    }
    out
}
