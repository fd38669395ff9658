//! Plan output: text for a terminal (colour optional), a versioned JSON document, and Markdown
//! for a pull-request comment. Destroys and replacements of data come first and loudly.

use super::{Action, Change, DirPlan, FileStatus, Plan, Root};
use std::fmt::Write as _;

/// Version of the JSON format (`mlopsgen plan --format json`); bumped on incompatible change.
pub const JSON_VERSION: u32 = 2;

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

fn bootstrap_line(plan: &Plan) -> Option<String> {
    let (add, change, destroy) = plan.bootstrap_counts();
    (add + change + destroy > 0).then(|| {
        format!(
            "Bootstrap (applied first, by an administrator): {add} to add, {change} to change, {destroy} to destroy."
        )
    })
}

fn pipeline_line(plan: &Plan) -> Option<String> {
    let (add, change, remove) = plan.pipeline_counts();
    (add + change + remove > 0)
        .then(|| format!("Pipelines: {add} to add, {change} to change, {remove} to remove (steps and parameters)."))
}

/// The directory a change's root is: `generated/prod`, `generated/prod/bootstrap`.
fn root_dir(d: &DirPlan, c: &Change) -> String {
    let dir = format!("generated/{}", crate::diag::display_path(&d.dir));
    if c.root == Root::Bootstrap { format!("{dir}/bootstrap") } else { dir }
}

/// What a row adds to its address: the changed arguments and the files behind them, what
/// forces a replacement.
fn detail(c: &Change) -> String {
    match c.action {
        Action::Update if !c.files.is_empty() => {
            format!("{}: {} changed", c.attributes.join(", "), c.files.join(", "))
        }
        Action::Update => c.attributes.join(", "),
        Action::Replace if !c.forces.is_empty() => {
            format!("{} {} replacement", c.forces.join(", "), if c.forces.len() == 1 { "forces" } else { "force" })
        }
        _ => String::new(),
    }
}

fn row(c: &Change) -> String {
    let detail = detail(c);
    let detail = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
    let flag = if c.refused {
        "  <-- REFUSED by Terraform (prevent_destroy)"
    } else if c.holds_data && matches!(c.action, Action::Destroy | Action::Replace) {
        "  <-- holds data"
    } else {
        ""
    };
    let scope = if c.root == Root::Bootstrap { "" } else { c.scope.as_str() };
    format!("  {} {scope}{}{detail}{flag}", c.action.symbol(), c.address)
}

/// What to do instead of a refused change.
fn instead(d: &DirPlan, c: &Change) -> String {
    let root = root_dir(d, c);
    if d.retired {
        let delete = if c.address.contains("aws_kms_key.") {
            "schedule its deletion by hand (whatever it encrypted becomes unreadable)"
        } else {
            "empty it and delete it by hand"
        };
        format!(
            "terraform destroy stops at {} in {root} (prevent_destroy). To keep the object and its data, take it out of Terraform's state first: terraform -chdir={root} state rm '{}'; to delete it, {delete}, then state rm.",
            c.address, c.address
        )
    } else {
        format!(
            "Terraform refuses to replace {} in {root} ({}; prevent_destroy) and stops the whole apply. Instead: keep the old value; or, to move to a new object, take the old one out of Terraform's state first (terraform -chdir={root} state rm '{}': the object and its data stay, unmanaged) and let Terraform create the new one. If only the address changed, a `moved` block (or terraform state mv) keeps the object.",
            c.address,
            if c.forces.is_empty() {
                "its name changes".to_string()
            } else {
                format!("{} changes", c.forces.join(", "))
            },
            c.address
        )
    }
}

fn retired_note(d: &DirPlan) -> String {
    let dir = crate::diag::display_path(&d.dir);
    format!(
        "environment removed: generate keeps generated/{dir}; terraform -chdir=generated/{dir} destroy, then an administrator destroys bootstrap/, then delete generated/{dir}"
    )
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
    for d in plan.dirs.iter().filter(|d| !d.files.is_empty() || d.retired) {
        let one = Plan { dirs: vec![d.clone()] };
        let mut parts = Vec::new();
        if d.dir != std::path::Path::new("modules") && d.dir != std::path::Path::new("jenkins") {
            // Definitions and the Jenkinsfile: Terraform counts none of it.
            let (a, c, x) = one.counts();
            parts.push(format!("{a} to add, {c} to change, {x} to destroy"));
            if let Some((ba, bc, bx)) = Some(one.bootstrap_counts()).filter(|p| p.0 + p.1 + p.2 > 0) {
                parts.push(format!("bootstrap {ba} to add, {bc} to change, {bx} to destroy"));
            }
            if let Some((pa, pc, px)) = Some(one.pipeline_counts()).filter(|p| p.0 + p.1 + p.2 > 0) {
                parts.push(format!("pipelines {pa} to add, {pc} to change, {px} to remove"));
            }
            let refused = one.refused().len();
            if refused > 0 {
                parts.push(format!("{refused} refused by Terraform"));
            }
        }
        if d.retired {
            parts.push(retired_note(d));
        } else {
            let files = d.files.len();
            parts.push(format!("{files} {} changed", if files == 1 { "file" } else { "files" }));
        }
        let _ = writeln!(out, "generated/{}: {}", crate::diag::display_path(&d.dir), parts.join("; "));
        for f in d.files.iter().filter(|f| f.status == FileStatus::HandEdited) {
            let _ = writeln!(
                out,
                "  ! {} was edited by hand: generate will refuse it (use --force to overwrite)",
                crate::diag::display_path(&f.path)
            );
        }
    }
    summary(plan, color, &mut out);
    out
}

/// The count lines, then what Terraform refuses, then the warnings.
fn summary(plan: &Plan, color: bool, out: &mut String) {
    let _ = writeln!(out, "\n{}", paint(color, "1", &summary_line(plan)));
    if let Some(b) = bootstrap_line(plan) {
        let _ = writeln!(out, "{b}");
    }
    if let Some(p) = pipeline_line(plan) {
        let _ = writeln!(out, "{p}");
    }
    for d in &plan.dirs {
        for c in d.changes.iter().filter(|c| c.refused) {
            let _ = writeln!(out, "{}", paint(color, "1;31", &format!("REFUSED: {}", instead(d, c))));
        }
    }
    warnings(plan, color, out);
}

fn warnings(plan: &Plan, color: bool, out: &mut String) {
    for c in plan.destructive().into_iter().filter(|c| !c.refused) {
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

/// The text report: the bootstrap roots' changes (applied first, by an administrator), each
/// directory's main-root and pipeline changes, the summary, what Terraform refuses, warnings,
/// then the file diffs (each capped at [`DIFF_LINES`] lines unless `full`).
pub fn text(plan: &Plan, color: bool, full: bool) -> String {
    let mut out = String::new();
    if !plan.has_changes() {
        out.push_str("No changes. generated/ is up to date.\n");
        return out;
    }
    let boot: Vec<(&DirPlan, Vec<&Change>)> = plan
        .dirs
        .iter()
        .map(|d| (d, d.changes.iter().filter(|c| c.root == Root::Bootstrap).collect::<Vec<_>>()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    if !boot.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint(
                color,
                "1",
                "Bootstrap roots: applied first, by an administrator (terraform -chdir=generated/<env>/bootstrap apply):"
            )
        );
        for (d, changes) in &boot {
            let _ = writeln!(
                out,
                "{}",
                paint(color, "1", &format!("generated/{}/bootstrap:", crate::diag::display_path(&d.dir)))
            );
            for c in changes {
                let _ = writeln!(out, "{}", paint(color, action_color(c.action), &row(c)));
            }
        }
        out.push('\n');
    }
    for d in &plan.dirs {
        if d.files.is_empty() && !d.retired {
            continue;
        }
        let _ = writeln!(out, "{}", paint(color, "1", &format!("generated/{}:", crate::diag::display_path(&d.dir))));
        if d.retired {
            let _ = writeln!(out, "  {}", retired_note(d));
        }
        for c in d.changes.iter().filter(|c| c.root != Root::Bootstrap) {
            let _ = writeln!(out, "{}", paint(color, action_color(c.action), &row(c)));
        }
        for f in d.files.iter().filter(|f| f.status == FileStatus::HandEdited) {
            let _ = writeln!(
                out,
                "  ! {} was edited by hand: generate will refuse it (use --force to overwrite)",
                crate::diag::display_path(&f.path)
            );
        }
    }
    summary(plan, color, &mut out);
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

/// The JSON document (`schema/plan.schema.json`).
pub fn json(plan: &Plan) -> serde_json::Value {
    let (add, change, destroy) = plan.counts();
    let (b_add, b_change, b_destroy) = plan.bootstrap_counts();
    let (p_add, p_change, p_remove) = plan.pipeline_counts();
    serde_json::json!({
        "version": JSON_VERSION,
        "changes_present": plan.has_changes(),
        "summary": {
            "add": add, "change": change, "destroy": destroy,
            "destructive": plan.destructive().len(),
            "refused": plan.refused().len(),
            "bootstrap": { "add": b_add, "change": b_change, "destroy": b_destroy },
            "pipelines": { "add": p_add, "change": p_change, "remove": p_remove }
        },
        "directories": plan.dirs.iter().map(|d| serde_json::json!({
            "directory": format!("generated/{}", crate::diag::display_path(&d.dir)),
            "retired": d.retired,
            "changes": d.changes.iter().map(|c| serde_json::json!({
                "root": match c.root { Root::Main => "main", Root::Bootstrap => "bootstrap", Root::Pipeline => "pipeline" },
                "scope": c.scope,
                "address": c.address,
                "action": c.action.as_str(),
                "attributes": c.attributes,
                "forces_replacement": c.forces,
                "files": c.files,
                "holds_data": c.holds_data,
                "refused": c.refused,
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
    let refused = plan.refused();
    if !refused.is_empty() {
        out.push_str("> [!CAUTION]\n> Terraform refuses this plan (`prevent_destroy`) and stops the apply:\n");
        for d in &plan.dirs {
            for c in d.changes.iter().filter(|c| c.refused) {
                let _ = writeln!(out, "> - `{}`: {}", c.address, instead(d, c).replace('`', "'"));
            }
        }
        out.push('\n');
    }
    let destructive: Vec<&Change> = plan.destructive().into_iter().filter(|c| !c.refused).collect();
    if !destructive.is_empty() {
        out.push_str("> [!CAUTION]\n> This change destroys or replaces objects that hold data or keys:\n");
        for c in destructive {
            let _ = writeln!(out, "> - **{}** `{}{}`", c.action.as_str(), c.scope, c.address);
        }
        out.push('\n');
    }
    for d in plan.dirs.iter().filter(|d| d.retired) {
        let _ =
            writeln!(out, "> [!WARNING]\n> `generated/{}`: {}\n", crate::diag::display_path(&d.dir), retired_note(d));
    }
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    if let Some(b) = bootstrap_line(plan) {
        let _ = writeln!(out, "{b}\n");
    }
    if let Some(p) = pipeline_line(plan) {
        let _ = writeln!(out, "{p}\n");
    }
    let table = |out: &mut String, rows: Vec<(&DirPlan, &Change)>| {
        out.push_str("| root | action | address | detail |\n| --- | --- | --- | --- |\n");
        for (d, c) in rows {
            let mut detail = detail(c);
            if c.refused {
                detail = format!("**refused** (prevent_destroy) {detail}");
            } else if c.holds_data && matches!(c.action, Action::Destroy | Action::Replace) {
                detail = format!("holds data {detail}");
            }
            let _ = writeln!(
                out,
                "| `{}` | {} {} | `{}{}` | {} |",
                root_dir(d, c),
                c.action.symbol(),
                c.action.as_str(),
                if c.root == Root::Bootstrap { "" } else { c.scope.as_str() },
                c.address,
                detail.trim_end()
            );
        }
    };
    let boot: Vec<(&DirPlan, &Change)> = plan
        .dirs
        .iter()
        .flat_map(|d| d.changes.iter().filter(|c| c.root == Root::Bootstrap).map(move |c| (d, c)))
        .collect();
    if !boot.is_empty() {
        out.push_str("### Bootstrap: applied first, by an administrator\n\n");
        table(&mut out, boot);
        out.push_str("\n### Main roots and pipelines\n\n");
    }
    let main: Vec<(&DirPlan, &Change)> = plan
        .dirs
        .iter()
        .flat_map(|d| d.changes.iter().filter(|c| c.root != Root::Bootstrap).map(move |c| (d, c)))
        .collect();
    table(&mut out, main);
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
