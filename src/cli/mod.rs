//! The command line: argument parsing (clap derive), the commands, output formats, colour and
//! exit codes. The only module that prints or decides an exit code.
//!
//! Exit codes: 0 success; 1 invalid configuration or another error; 2 changes present (reserved
//! for `plan`); 64 usage error (bad arguments).

use crate::diag::plural;
use crate::diag::{Report, Style};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::ArgValueCandidates;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod complete;

/// Exit code for a successful run.
pub const EXIT_OK: u8 = 0;
/// Exit code for invalid configuration, or any other error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code for bad command-line usage.
pub const EXIT_USAGE: u8 = 64;

/// Generates the Terraform and SageMaker pipelines of a multi-account MLOps platform from
/// environments/*.tfvars.json.
#[derive(Debug, Parser)]
#[command(name = "mlopsgen", version, about, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR (the repository root holding environments/).
    #[arg(short = 'C', long = "chdir", value_name = "DIR", global = true)]
    pub chdir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a repository: configs for dev, prod and registry, the model, the JSON Schema, a
    /// .gitignore.
    ///
    /// Writes environments/{dev,prod,registry}.tfvars.json (or, with --from, the blog post's
    /// prod.tfvars.json with its values kept), models/MODEL.json (the model's problem type and
    /// data contract: learned from --data, else the blog post's), schema/env.schema.json and
    /// .gitignore, then prints the next three commands. The configs are validated before anything
    /// is written; no file is ever overwritten.
    Init(Box<InitArgs>),
    /// Check the environment configs; all files are checked together. Exit 1 on any error.
    Validate {
        /// Environments to report on (default: all files in environments/).
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        envs: Vec<String>,
        /// Output format of the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write the Terraform for the environments into generated/. Every config is validated
    /// first; on any error nothing is written. Hand edits in generated/ are refused.
    Generate {
        /// Environments to generate (default: all). The shared modules are always written.
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        envs: Vec<String>,
        /// Overwrite files in generated/ that were changed by hand.
        #[arg(long)]
        force: bool,
    },
    /// Show what `generate` would change in generated/: Terraform addresses and pipeline steps
    /// first, then a unified diff per file. Writes nothing. Exit 0: no change; 2: changes; 1: error.
    Plan {
        /// Environments to plan (default: all). The shared modules are always compared.
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        envs: Vec<String>,
        /// Summary only (no diffs); the exit code says whether generated/ is current (CI, Jenkins).
        #[arg(long)]
        check: bool,
        /// Show every diff whole (the default cuts each at 60 lines).
        #[arg(long)]
        full: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
    },
    /// Draw the platform: accounts, roles, keys, buckets, the registry, pipelines and the event
    /// flows between them.
    Graph {
        /// Environments to draw (default: all).
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        envs: Vec<String>,
        /// Mermaid (for Markdown) or Graphviz DOT.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Check with STS that the ambient AWS credentials (and the deploy role they assume) reach
    /// the environment's account. Exit 0: they do; 1: wrong account or no access.
    Preflight {
        /// The environment to check.
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        env: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the versions of the model package groups ENV's models register into (for the
    /// registry: all its groups): status, who registered and who decided, why, provenance,
    /// metrics and evidence. Reads with the ambient AWS credentials.
    Versions {
        /// A workload environment, or the registry.
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        env: String,
        /// Only this model of ENV (or, in the registry, this model package group).
        #[arg(value_name = "MODEL", add = ArgValueCandidates::new(complete::models))]
        model: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Approve a version waiting for approval, through the registry's approver role. Refused when
    /// the caller registered the version.
    Approve(DecideArgs),
    /// Reject a version, through the registry's approver role.
    Reject(DecideArgs),
    /// Print the platform as JSON: accounts, buckets, keys, pipelines, the Lambda, the registry
    /// and every EventBridge rule with its pattern and targets (for tools; see README).
    Describe {
        /// Environments to describe (default: all).
        #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
        envs: Vec<String>,
    },
    /// Print the JSON Schema of environments/*.tfvars.json, or with --model of models/*.json (for editors).
    Schema {
        /// The schema of model files (models/<model>.json) instead.
        #[arg(long)]
        model: bool,
    },
    /// Print a shell completion script: subcommands, flags, and the repository's environment and
    /// model names (the script asks mlopsgen on each TAB, in the directory -C names).
    ///
    /// Load it from the shell's startup file: `source <(mlopsgen completions bash)` in ~/.bashrc
    /// (zsh: the same with zsh, in ~/.zshrc), `mlopsgen completions fish | source` in fish.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// The flags of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Start from this file (the blog post's prod.tfvars.json) instead: its values are kept, the
    /// account placeholders that --*-account answer are filled in, the others are listed.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The dev account's 12-digit id.
    #[arg(long, value_name = "ID")]
    pub dev_account: Option<String>,
    /// The prod account's 12-digit id.
    #[arg(long, value_name = "ID")]
    pub prod_account: Option<String>,
    /// The registry (central model registry) account's 12-digit id.
    #[arg(long, value_name = "ID")]
    pub registry_account: Option<String>,
    /// The region of every environment.
    #[arg(long, value_name = "REGION", default_value = "us-east-1", conflicts_with = "from")]
    pub region: String,
    /// Starts every name the platform gives a resource (buckets, key aliases, roles, Lambdas,
    /// the alert topic, the dead-letter queues: PREFIX-...), written as each config's
    /// name_prefix; also the project tag. Lowercase letters, digits and hyphens, at most 20.
    #[arg(long, value_name = "PREFIX", default_value = "mlops", conflicts_with = "from")]
    pub prefix: String,
    /// Who is told when a pipeline fails or drift is found (dev and prod; repeat for several).
    #[arg(long, value_name = "ADDRESS", conflicts_with = "from")]
    pub email: Vec<String>,
    /// Who is told when a model version waits for approval (repeat for several).
    #[arg(long, value_name = "ADDRESS", conflicts_with = "from")]
    pub approver_email: Vec<String>,
    /// The account of the Jenkins server: gives each environment the role Jenkins deploys with.
    #[arg(long, value_name = "ID", conflicts_with = "from")]
    pub jenkins_account: Option<String>,
    /// The model's name.
    #[arg(long, value_name = "NAME", default_value = "mammography-severity-model", conflicts_with = "from")]
    pub model: String,
    /// A CSV file of the model's raw training data: models/MODEL.json gets the data contract
    /// learned from it (header, missing-value markers, each column's type and role).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// The column of --data the model predicts.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// What the model predicts (default: inferred from the label's values).
    #[arg(long, value_name = "TYPE", value_parser = ["binary", "multiclass", "regression"])]
    pub problem_type: Option<String>,
    /// The binary label's positive class (default: the rarer class).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// The column of --data that identifies a record (unique in every row); default: none.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
}

/// The arguments of `approve` and `reject`.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// A workload environment, or the registry.
    #[arg(value_name = "ENV", add = ArgValueCandidates::new(complete::environments))]
    pub env: String,
    /// The model of ENV (or, in the registry, the model package group).
    #[arg(value_name = "MODEL", add = ArgValueCandidates::new(complete::models))]
    pub model: String,
    /// The version number, as `versions` lists it.
    #[arg(value_name = "VERSION", value_parser = clap::value_parser!(i32).range(1..))]
    pub version: i32,
    /// Why: recorded as the version's ApprovalDescription (required; at most 1024 characters).
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
    /// The caller's MFA device (ARN or serial number), for an approver role that requires MFA.
    #[arg(long, value_name = "ARN", env = "MLOPSGEN_MFA_SERIAL", hide_env_values = true)]
    pub mfa_serial: Option<String>,
    /// The device's current 6-digit code.
    #[arg(long, value_name = "CODE", env = "MLOPSGEN_MFA_CODE", hide_env_values = true)]
    pub mfa_code: Option<String>,
    /// Decide a version that is no longer PendingManualApproval, or approve one whose creator
    /// SageMaker does not record. Never lets anyone approve a version they registered.
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Summary and unified diffs for a terminal.
    Text,
    /// A versioned JSON document (see the README).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
}

/// How a graph is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// Exit code when `plan` finds changes.
pub const EXIT_CHANGES: u8 = 2;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for a person: results on stdout, problems on stderr.
    Text,
    /// One JSON document on stdout.
    Json,
}

/// Parses the process arguments and runs the command. With `COMPLETE` set (by the script
/// `completions` prints), answers the shell's completion request instead and exits.
pub fn main() -> ExitCode {
    clap_complete::CompleteEnv::with_factory(Cli::command).var(complete::VAR).complete();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    ExitCode::from(run(cli))
}

/// Runs one parsed command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    let repo = cli.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Init(args) => init(&repo, cli.chdir.as_deref(), args),
        Command::Validate { envs, format } => validate(&repo, &envs, format),
        Command::Generate { envs, force } => generate(&repo, &envs, force),
        Command::Plan { envs, check, full, format } => plan(&repo, &envs, check, full, format),
        Command::Graph { envs, format } => graph(&repo, &envs, format),
        Command::Preflight { env, format } => preflight(&repo, &env, format),
        Command::Describe { envs } => describe(&repo, &envs),
        Command::Versions { env, model, format } => versions(&repo, &env, model.as_deref(), format),
        Command::Approve(args) => decide(&repo, crate::approvals::Decision::Approve, args),
        Command::Reject(args) => decide(&repo, crate::approvals::Decision::Reject, args),
        Command::Schema { model } => {
            let schema =
                if model { crate::config::shape::model_json_schema() } else { crate::config::shape::json_schema() };
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            out(&format!("{text}\n"))
        }
        Command::Completions { shell } => {
            let program = complete::completer_program(std::env::args_os().next());
            out(&complete::registration(shell, &program))
        }
    }
}

fn validate(repo: &std::path::Path, envs: &[String], format: Format) -> u8 {
    let validated = crate::validate_repo(repo, envs);
    let report = &validated.report;
    let code = if report.has_errors() { EXIT_ERROR } else { EXIT_OK };
    match format {
        Format::Json => {
            let text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            out(&format!("{text}\n"));
        }
        Format::Text => {
            print_report(report, "");
            if !report.has_errors() {
                let names: Vec<&str> = validated.envs.iter().map(|e| e.name.as_str()).collect();
                out(&format!("ok: {} valid ({})\n", plural(names.len(), "environment"), names.join(", ")));
            }
        }
    }
    code
}

/// Every environment validated (the output of one depends on the others: the registry's
/// grants, keys shared across accounts), and `envs` checked to exist; `None` after printing the
/// diagnostics when a config is invalid or a name unknown.
fn validate_all(repo: &std::path::Path, envs: &[String], tail: &str) -> Option<crate::validate::Validated> {
    let mut all = crate::validate_repo(repo, &[]);
    all.report.extend(crate::validate::unknown_environments(envs, &all.files));
    if all.report.has_errors() {
        print_report(&all.report, tail);
        return None;
    }
    Some(all)
}

/// Validates every environment and renders the selected ones; `None` (after printing the
/// diagnostics) when a config is invalid.
fn render_selected(
    repo: &std::path::Path,
    envs: &[String],
    tail: &str,
) -> Option<(crate::render::FileSet, Vec<std::path::PathBuf>, Vec<crate::model::EnvConfig>)> {
    let all = validate_all(repo, envs, tail)?;
    print_report(&all.report, "");
    let selected: Vec<_> = all.envs.iter().filter(|e| envs.is_empty() || envs.contains(&e.name)).cloned().collect();
    let names: Vec<String> = selected.iter().map(|e| e.name.clone()).collect();
    Some((crate::render::render(&all.envs, &names), crate::render::owned_dirs(&selected), all.envs))
}

fn preflight(repo: &std::path::Path, env: &str, format: Format) -> u8 {
    let selected = [env.to_string()];
    let validated = crate::validate_repo(repo, &selected);
    if validated.report.has_errors() {
        print_report(&validated.report, "nothing was checked");
        return EXIT_ERROR;
    }
    print_report(&validated.report, "");
    let Some(config) = validated.envs.iter().find(|e| e.name == env) else {
        err(&format!("error: no environment named {}\n", crate::diag::quoted(env)));
        return EXIT_ERROR;
    };
    let outcome = crate::preflight::run(config, crate::preflight::Limits::default());
    let code = match format {
        Format::Json => {
            out(&(serde_json::to_string_pretty(&crate::preflight::json(&outcome)).unwrap_or_default() + "\n"))
        }
        Format::Text => out(&crate::preflight::text(&outcome)),
    };
    if code != EXIT_OK {
        return code;
    }
    if outcome.failure.is_some() { EXIT_ERROR } else { EXIT_OK }
}

/// Validates every environment and finds `env`; `None` (after printing the diagnostics) when a
/// config is invalid or `env` does not exist.
fn load_env(repo: &std::path::Path, env: &str, tail: &str) -> Option<(Vec<crate::model::EnvConfig>, usize)> {
    let all = validate_all(repo, &[env.to_string()], tail)?;
    print_report(&all.report, "");
    let index = all.envs.iter().position(|e| e.name == env)?;
    Some((all.envs, index))
}

/// Prints a failure of `versions`, `approve` or `reject`: compiler-style on stderr, or the
/// `error` member of the JSON document.
fn print_failure(f: &crate::preflight::Failure, format: Format, json: Option<serde_json::Value>) -> u8 {
    match format {
        Format::Json => {
            let doc = json.unwrap_or_else(|| serde_json::json!({ "version": 1, "ok": false, "error": f.json() }));
            out(&(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"));
        }
        Format::Text => err(&f.text()),
    }
    EXIT_ERROR
}

fn versions(repo: &std::path::Path, env: &str, model: Option<&str>, format: Format) -> u8 {
    let Some((all, index)) = load_env(repo, env, "nothing was read") else { return EXIT_ERROR };
    let config = &all[index];
    let targets = match crate::approvals::targets(&all, config, model) {
        Ok(t) => t,
        Err(f) => return print_failure(&f, format, None),
    };
    let listing = crate::approvals::versions(config, targets, crate::preflight::Limits::default());
    emit(
        format,
        listing.failure.as_ref(),
        || crate::approvals::versions_text(&listing),
        || crate::approvals::versions_json(&listing),
    )
}

/// The report of `versions`, `approve` or `reject`: the text on stdout (then the failure, if
/// any, on stderr), or the JSON document, whose `error` member is the failure.
fn emit(
    format: Format,
    failure: Option<&crate::preflight::Failure>,
    text: impl FnOnce() -> String,
    json: impl FnOnce() -> serde_json::Value,
) -> u8 {
    match format {
        Format::Json => match failure {
            Some(f) => print_failure(f, format, Some(json())),
            None => out(&(serde_json::to_string_pretty(&json()).unwrap_or_default() + "\n")),
        },
        Format::Text => {
            let code = out(&text());
            match failure {
                Some(f) => print_failure(f, format, None),
                None => code,
            }
        }
    }
}

fn decide(repo: &std::path::Path, decision: crate::approvals::Decision, args: DecideArgs) -> u8 {
    use crate::approvals::{Request, targets};
    use crate::diag::Code;
    let Some((all, index)) = load_env(repo, &args.env, "nothing was changed") else { return EXIT_ERROR };
    let fail = |code: Code, message: String, help: String| {
        print_failure(&crate::preflight::failure(code, message, help), args.format, None)
    };
    let Some((registry, r)) = all.iter().find_map(|e| e.registry.as_ref().map(|r| (e, r))) else {
        return fail(
            Code::E0603,
            "there is no registry environment in environments/, so the approver role is unknown".into(),
            "add the registry's config (kind \"registry\"); its approvals section names the role".into(),
        );
    };
    let target = match targets(&all, &all[index], Some(&args.model)) {
        Ok(mut t) if t.len() == 1 => t.remove(0),
        Ok(t) => {
            let names: Vec<&str> = t.iter().map(|t| t.group.as_str()).collect();
            return fail(
                Code::E0607,
                format!("{} names {} model package groups in {}", crate::diag::quoted(&args.model), t.len(), args.env),
                format!("name one group: {}", names.join(", ")),
            );
        }
        Err(f) => return print_failure(&f, args.format, None),
    };
    if target.account != registry.account_id {
        return fail(
            Code::E0603,
            format!(
                "model package group {} is in account {}, not in the registry's account {}; its approver role is unknown",
                target.group, target.account, registry.account_id
            ),
            "point model_package_group_name at the registry environment's group".into(),
        );
    }
    let request = Request {
        decision,
        version: args.version,
        reason: args.reason,
        mfa_serial: args.mfa_serial,
        mfa_code: args.mfa_code,
        force: args.force,
    };
    let outcome = crate::approvals::decide(registry, r, &target, &request, crate::preflight::Limits::default());
    emit(
        args.format,
        outcome.failure.as_ref(),
        || crate::approvals::decision_text(&outcome),
        || crate::approvals::decision_json(&outcome),
    )
}

fn describe(repo: &std::path::Path, envs: &[String]) -> u8 {
    let Some(all) = validate_all(repo, envs, "") else { return EXIT_ERROR };
    let text = serde_json::to_string_pretty(&crate::describe::describe(&all.envs, envs)).unwrap_or_default();
    out(&format!("{text}\n"))
}

fn graph(repo: &std::path::Path, envs: &[String], format: GraphFormat) -> u8 {
    let Some(all) = validate_all(repo, envs, "") else { return EXIT_ERROR };
    let g = crate::graph::build(&all.envs, envs);
    out(&match format {
        GraphFormat::Mermaid => crate::graph::mermaid(&g, &[]),
        GraphFormat::Dot => crate::graph::dot(&g),
    })
}

fn plan(repo: &std::path::Path, envs: &[String], check: bool, full: bool, format: PlanFormat) -> u8 {
    let Some((files, dirs, all)) = render_selected(repo, envs, "nothing was planned") else { return EXIT_ERROR };
    let retired = if envs.is_empty() { crate::plan::retired(repo, &dirs) } else { Vec::new() };
    let plan = match crate::plan::plan(repo, &files, &dirs, &retired) {
        Ok(p) => p,
        Err(e) => {
            err(&format!("error: {e}\n"));
            return EXIT_ERROR;
        }
    };
    let color = color_enabled(std::io::stdout().is_terminal());
    let text = match format {
        PlanFormat::Json => serde_json::to_string_pretty(&crate::plan::report::json(&plan)).unwrap_or_default() + "\n",
        PlanFormat::Markdown => {
            // The picture of the environments that change, the changed objects highlighted.
            let changed_envs: Vec<String> = plan
                .dirs
                .iter()
                .filter(|d| !d.files.is_empty() && d.dir != std::path::Path::new("modules"))
                .map(|d| d.dir.to_string_lossy().into_owned())
                .collect();
            let changed: Vec<(String, String)> = plan
                .dirs
                .iter()
                .flat_map(|d| {
                    d.changes
                        .iter()
                        .filter(|c| c.scope.is_empty())
                        .map(move |c| (d.dir.to_string_lossy().into_owned(), c.address.clone()))
                })
                .collect();
            let diagram = (!changed_envs.is_empty())
                .then(|| crate::graph::mermaid(&crate::graph::build(&all, &changed_envs), &changed));
            crate::plan::report::markdown(&plan, diagram.as_deref())
        }
        PlanFormat::Text if check => crate::plan::report::check_summary(&plan, color),
        PlanFormat::Text => crate::plan::report::text(&plan, color, full),
    };
    let code = out(&text);
    if code != EXIT_OK {
        return code;
    }
    if plan.has_changes() { EXIT_CHANGES } else { EXIT_OK }
}

fn generate(repo: &std::path::Path, envs: &[String], force: bool) -> u8 {
    let Some((files, dirs, _)) = render_selected(repo, envs, "nothing was written") else { return EXIT_ERROR };
    match crate::write::write(repo, &files, &dirs, force) {
        Ok(report) => {
            let mut text = String::new();
            for (dir, total, changed) in &report.dirs {
                let dir = crate::diag::display_path(&std::path::Path::new(crate::write::GENERATED).join(dir));
                if *changed == 0 {
                    text.push_str(&format!("{dir}: {total} files, unchanged\n"));
                } else {
                    text.push_str(&format!("{dir}: {total} files, {changed} written\n"));
                }
            }
            match crate::write::seed_lock_files(repo, &dirs) {
                Ok(seeded) => {
                    for root in seeded {
                        text.push_str(&format!(
                            "{}/.terraform.lock.hcl: written (hashicorp/aws 5.100.0, every platform's checksum)\n",
                            crate::diag::display_path(&root)
                        ));
                    }
                }
                Err(e) => {
                    err(&format!("error: {e}\n"));
                    return EXIT_ERROR;
                }
            }
            out(&text)
        }
        Err(e) => {
            err(&format!("error: {e}\n"));
            EXIT_ERROR
        }
    }
}

fn init(repo: &std::path::Path, chdir: Option<&std::path::Path>, args: Box<InitArgs>) -> u8 {
    let args = *args;
    use crate::init::{self, InitError};
    let from = args.from.clone();
    let opts = init::Options {
        dev_account: args.dev_account,
        prod_account: args.prod_account,
        registry_account: args.registry_account,
        region: args.region,
        prefix: args.prefix,
        email: args.email,
        approver_email: args.approver_email,
        jenkins_account: args.jenkins_account,
        model: args.model,
        from: args.from,
        data: args.data,
        label: args.label,
        problem_type: args.problem_type,
        positive: args.positive,
        id: args.id,
    };
    let failed = |e: InitError| -> u8 {
        match e {
            InitError::Flags(problems) => {
                err(&problems.iter().map(|p| format!("error: {p}\n")).collect::<String>());
                EXIT_USAGE
            }
            InitError::Seed(m) => {
                err(&format!("error: {m}\n"));
                EXIT_ERROR
            }
            InitError::Exists(paths) => {
                let list: String = paths.iter().map(|p| format!("  {}\n", crate::diag::display_path(p))).collect();
                err(&format!(
                    "error: init never overwrites a file, and these exist already; nothing was written:\n{list}"
                ));
                EXIT_ERROR
            }
            InitError::Io(path, e) => {
                err(&format!("error: cannot write {}: {e}\n", crate::diag::display_path(&path)));
                EXIT_ERROR
            }
            InitError::Data(e) => {
                let help = e.hint.as_ref().map(|h| format!("  = help: {h}\n")).unwrap_or_default();
                err(&format!("error: {e}\n{help}nothing was written\n"));
                if e.flag.is_some() { EXIT_USAGE } else { EXIT_ERROR }
            }
        }
    };
    let init::Files { files, model, notes } = match init::files(&opts) {
        Ok(f) => f,
        Err(e) => return failed(e),
    };
    let envs = init::environments(&files);
    let sources: Vec<crate::config::SourceFile> = files
        .iter()
        .zip(&envs)
        .map(|(f, env)| crate::config::SourceFile { env: env.clone(), path: f.path.clone(), text: f.text.clone() })
        .collect();
    let models: Vec<crate::config::SourceFile> = files
        .iter()
        .filter(|f| f.path == model)
        .filter_map(|f| {
            let name = f.path.file_stem()?.to_str()?.to_string();
            Some(crate::config::SourceFile { env: name, path: f.path.clone(), text: f.text.clone() })
        })
        .collect();
    let validated = crate::validate::validate_with_models(&sources, &models, Vec::new(), &[], Some(repo));
    // Configs built from flags must validate; a seed file is written with its gaps, listed below.
    if from.is_none() && validated.report.has_errors() {
        print_report(&validated.report, "nothing was written");
        return EXIT_ERROR;
    }
    if let Err(e) = init::write(repo, &files) {
        return failed(e);
    }
    let mut text: String = files.iter().map(|f| format!("wrote {}\n", crate::diag::display_path(&f.path))).collect();
    text.push_str(&format!("\n{}:\n", crate::diag::display_path(&model)));
    text.extend(notes.iter().map(|n| format!("  {n}\n")));
    let needed: Vec<&crate::diag::Diagnostic> =
        validated.report.diagnostics.iter().filter(|d| d.code == crate::diag::Code::E0206).collect();
    if !needed.is_empty() {
        let file = crate::diag::display_path(&needed[0].file);
        text.push_str(&format!("\n{file} still needs {}:\n", plural(needed.len(), "value")));
        for d in &needed {
            let at = d.span.and_then(|s| validated.report.line_col(&d.file, s.start));
            let at = at.map(|lc| format!("{}:{}", lc.line, lc.column)).unwrap_or_default();
            text.push_str(&format!("  {file}:{at}  {}  {}\n", d.found, d.expected));
        }
        let flags: Vec<String> = crate::init::ACCOUNT_PLACEHOLDERS
            .iter()
            .filter(|(p, _)| needed.iter().any(|d| d.found == crate::diag::quoted(p)))
            .map(|(p, f)| format!("{f} ID fills {p}"))
            .collect();
        if !flags.is_empty() {
            text.push_str(&format!("  ({}: run init again in an empty directory)\n", flags.join("; ")));
        }
    }
    let mut rest = validated.report.clone();
    rest.diagnostics.retain(|d| d.code != crate::diag::Code::E0206);
    print_report(&rest, "");
    if from.is_none() && opts.jenkins_account.is_none() {
        text.push_str(
            "\nnote: without --jenkins-account the environments have no role for Jenkins to deploy with; add \"deploy\" to each file to use the Jenkinsfile\n",
        );
    }
    let quote = |p: &std::path::Path| {
        let s = p.to_string_lossy().into_owned();
        if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:@".contains(c)) {
            s
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let c = chdir.map(|d| format!(" -C {}", quote(d))).unwrap_or_default();
    let root = |dir: &str| match chdir {
        Some(d) => quote(&d.join(dir)),
        None => dir.to_string(),
    };
    let first = if from.is_some() { String::from("replace them, then run:") } else { String::from("next:") };
    text.push_str(&format!("\n{first}\n  mlopsgen{c} validate\n  mlopsgen{c} generate\n"));
    match (&from, envs.first()) {
        (Some(_), Some(env)) => {
            let r = root(&format!("generated/{env}"));
            text.push_str(&format!("  terraform -chdir={r} init && terraform -chdir={r} plan\n"));
        }
        _ => {
            let r = root("generated/registry/bootstrap");
            text.push_str(&format!(
                "  terraform -chdir={r} init && terraform -chdir={r} apply   # with the registry account's administrator; then dev and prod\n"
            ));
        }
    }
    out(&text)
}

/// Prints diagnostics and their summary line on stderr.
fn print_report(report: &Report, tail: &str) {
    if report.diagnostics.is_empty() {
        return;
    }
    let style = stderr_style();
    let mut text = report.render(style);
    text.push_str(&report.summary(tail));
    text.push('\n');
    err(&text);
}

/// Colour only for a terminal, and never when `NO_COLOR` is set to anything non-empty.
fn color_enabled(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn stderr_style() -> Style {
    if color_enabled(std::io::stderr().is_terminal()) { Style::Color } else { Style::Plain }
}

/// Writes to stdout; a closed pipe (`mlopsgen schema | head`) is not an error.
fn out(text: &str) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(_) => EXIT_ERROR,
    }
}

fn err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
