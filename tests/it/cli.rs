//! The built binary, run as a user runs it: exit codes, stdout versus stderr, `-C`, `NO_COLOR`,
//! the JSON formats, the schema and completions.

use crate::common;

use common::*;
use std::process::{Command, Output};

fn mlopsgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlopsgen")).args(args).env_remove("NO_COLOR").output().expect("run mlopsgen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_examples_exits_zero() {
    let root = repo_root();
    let out = mlopsgen(&["-C", root.to_str().expect("utf-8 path"), "validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ok: 3 environments valid (dev, prod, registry)\n");
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn validate_broken_config_exits_one_with_plain_report_on_stderr() {
    let repo = temp_repo(Some(&fixture("broken/cron-five-fields")));
    let out = mlopsgen(&["--chdir", repo.path().to_str().expect("utf-8"), "validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "error[E0218]: cron expression needs 6 fields, found 5\n  --> environments/prod.tfvars.json:50:22\n"
        ),
        "{err}"
    );
    assert!(err.ends_with("error: 1 problem in 1 file\n"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when stderr is not a terminal");
}

#[test]
fn validate_json_format_is_machine_readable() {
    let repo = temp_repo(Some(&fixture("broken/email-no-at")));
    let out = mlopsgen(&["-C", repo.path().to_str().expect("utf-8"), "validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0219");
    assert_eq!(d["file"], "environments/prod.tfvars.json");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(12), Some(13)));
    assert_eq!(d["path"], "$.email[0]");
    assert_eq!(d["found"], "\"ml-ops.example.com\"");
}

#[test]
fn validate_json_format_carries_the_proposed_fix() {
    let repo = temp_repo(Some(&fixture("broken/cron-five-fields")));
    let out = mlopsgen(&["-C", repo.path().to_str().expect("utf-8"), "validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(
        v["diagnostics"][0]["fix"],
        serde_json::json!({
            "file": "environments/prod.tfvars.json",
            "path": "$.inference_pipeline.cron_schedule",
            "value": "cron(0 23 * * ? *)"
        })
    );
    let repo = temp_repo(Some(&fixture("broken/email-no-at")));
    let out = mlopsgen(&["-C", repo.path().to_str().expect("utf-8"), "validate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["diagnostics"][0]["fix"], serde_json::Value::Null, "no value is proposed for a bad address");
}

#[test]
fn validate_unknown_environment_is_an_error_with_suggestion() {
    let root = repo_root();
    let out = mlopsgen(&["-C", root.to_str().expect("utf-8"), "validate", "prd"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[E0104]: no environment named \"prd\""), "{err}");
    assert!(err.contains("did you mean \"prod\"?"), "{err}");
}

#[test]
fn validate_without_environments_directory_explains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = mlopsgen(&["-C", dir.path().to_str().expect("utf-8"), "validate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[E0104]: cannot read the environments directory"), "{err}");
    // The directory it looked in, absolute, so that a wrong -C is obvious.
    let looked = dir.path().join("environments");
    assert!(err.contains(&format!("= found: {}: No such file or directory", looked.display())), "{err}");
}

#[test]
fn no_environment_is_an_error_that_points_to_init_and_misnamed_files_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("environments")).expect("environments/");
    let root = dir.path().to_str().expect("utf-8");
    for command in ["validate", "generate"] {
        let out = mlopsgen(&["-C", root, command]);
        assert_eq!(out.status.code(), Some(1), "{command}: nothing to do is not a success");
        let err = text(&out.stderr);
        assert!(err.contains("error[E0105]: no environment config in environments/"), "{err}");
        assert!(err.contains("run `mlopsgen init`"), "{err}");
    }
    assert!(!dir.path().join("generated").exists(), "generate wrote nothing");
    for name in ["prod.json", "prod.tfvars"] {
        std::fs::write(dir.path().join("environments").join(name), "{}").expect("write");
    }
    let err = text(&mlopsgen(&["-C", root, "validate"]).stderr);
    for name in ["prod.json", "prod.tfvars"] {
        assert!(err.contains(&format!("warning[E0106]: environments/{name} is not loaded")), "{err}");
    }
    assert!(err.contains("rename it to prod.tfvars.json"), "{err}");
}

#[test]
fn usage_errors_exit_64_not_2() {
    let out = mlopsgen(&["validate", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(64));
    let out = mlopsgen(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(64));
    let out = mlopsgen(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn schema_is_json_and_matches_the_committed_copy() {
    let out = mlopsgen(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let committed = std::fs::read(repo_root().join("schema/env.schema.json")).expect("schema/env.schema.json");
    assert!(
        committed == out.stdout,
        "schema/env.schema.json is stale: run `cargo run -- schema > schema/env.schema.json`"
    );
    let out = mlopsgen(&["schema", "--model"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(repo_root().join("schema/model.schema.json")).expect("schema/model.schema.json");
    assert!(
        committed == out.stdout,
        "schema/model.schema.json is stale: run `cargo run -- schema --model > schema/model.schema.json`"
    );
    // The example model file keeps its schema.
    let validator = jsonschema::validator_for(&serde_json::from_slice(&out.stdout).expect("JSON")).expect("schema");
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("models/mammography-severity-model.json")).expect("model file"),
    )
    .expect("model JSON");
    assert!(validator.is_valid(&model), "models/mammography-severity-model.json breaks schema/model.schema.json");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = mlopsgen(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        // The script asks the binary (by the path it was run as) for the candidates.
        let script = text(&out.stdout);
        assert!(script.contains(env!("CARGO_BIN_EXE_mlopsgen")) && script.contains("COMPLETE"), "{shell}: {script}");
    }
}

/// What the binary answers a bash completion request for `words` (the word at `index` being
/// completed), run in `dir`: the candidates other than flags.
fn complete(dir: &std::path::Path, words: &[&str], index: usize) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("--")
        .args(words)
        .current_dir(dir)
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", index.to_string())
        .env("_CLAP_IFS", "\n")
        .output()
        .expect("run mlopsgen");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout).lines().filter(|c| !c.starts_with('-')).map(str::to_string).collect()
}

#[test]
fn completion_offers_the_repositorys_environment_and_model_names() {
    let repo = temp_repo(None);
    std::fs::rename(
        repo.path().join("environments/prod.tfvars.json"),
        repo.path().join("environments/production.tfvars.json"),
    )
    .expect("rename");
    let envs = ["dev", "production", "registry"];
    assert_eq!(complete(repo.path(), &["mlopsgen", "validate", ""], 2), envs);
    assert_eq!(complete(repo.path(), &["mlopsgen", "plan", "--check", "pro"], 3), ["production"]);
    assert_eq!(complete(repo.path(), &["mlopsgen", "approve", "r"], 2), ["registry"]);
    // -C names the repository; the current directory is another.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let root = repo.path().to_str().expect("utf-8");
    assert_eq!(complete(elsewhere.path(), &["mlopsgen", "-C", root, "generate", ""], 4), envs);
    assert!(complete(elsewhere.path(), &["mlopsgen", "generate", ""], 2).is_empty(), "no environments/ there");
    // MODEL: the model files and the models and groups the environments declare.
    assert_eq!(
        complete(repo.path(), &["mlopsgen", "versions", "dev", ""], 3),
        ["mammo-severity-model-package", "mammography-severity-model"]
    );
    // Subcommands still come from the command definition.
    assert!(complete(repo.path(), &["mlopsgen", "val"], 1).contains(&"validate".to_string()));
}

/// The script `completions bash` prints, sourced by a real bash and called the way bash calls it
/// on TAB, completes environment names from the binary.
#[test]
fn bash_completes_environment_names_through_the_printed_script() {
    let repo = temp_repo(None);
    let script = text(&mlopsgen(&["completions", "bash"]).stdout);
    let probe = format!(
        "{script}\nCOMP_WORDS=(mlopsgen validate pr); COMP_CWORD=2; COMP_TYPE=9\n\
         _clap_complete_mlopsgen mlopsgen pr validate\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .current_dir(repo.path())
        .env_remove("COMPLETE")
        .output()
        .expect("run bash");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).split_whitespace().collect::<Vec<_>>(), ["prod"], "{}", text(&out.stderr));
}

/// Flags read from the environment say so in --help, without an empty `=` where a value would
/// go, and never with the value.
#[test]
fn help_names_environment_variables_without_their_values() {
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .args(["approve", "--help"])
        .env("MLOPSGEN_MFA_SERIAL", "arn:aws:iam::123456789012:mfa/alice")
        .env("MLOPSGEN_MFA_CODE", "123456")
        .output()
        .expect("run");
    let help = text(&out.stdout);
    assert!(help.contains("[env: MLOPSGEN_MFA_SERIAL]") && help.contains("[env: MLOPSGEN_MFA_CODE]"), "{help}");
    assert!(!help.contains("MFA_SERIAL=") && !help.contains("alice") && !help.contains("123456"), "{help}");
    let help = text(&mlopsgen(&["versions", "--help"]).stdout);
    assert!(!help.to_lowercase().contains("compiler"), "{help}");
}

#[test]
fn failed_validation_leaves_the_tree_untouched() {
    let repo = temp_repo(Some(&fixture("broken/duplicate-key")));
    let before = std::fs::read_dir(repo.path()).expect("read").count();
    let out = mlopsgen(&["-C", repo.path().to_str().expect("utf-8"), "validate"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(repo.path()).expect("read").count(), before);
}

#[test]
fn secrets_are_never_echoed() {
    let repo = temp_repo(Some(&fixture("broken/secret-key-name")));
    for format in ["text", "json"] {
        let out = mlopsgen(&["-C", repo.path().to_str().expect("utf-8"), "validate", "--format", format]);
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(all.contains("E0207"), "{all}");
        assert!(!all.contains("wJalrXUtnFEMI"), "the secret leaked in {format} output: {all}");
    }
}

/// The Jenkinsfile's stages run in the order that makes applying safe. (Its Groovy syntax is
/// checked with Debian's groovy in .ci/run.)
#[test]
fn jenkinsfile_stages_are_in_a_safe_order() {
    let text = std::fs::read_to_string(repo_root().join("generated/jenkins/Jenkinsfile")).expect("Jenkinsfile");
    let stages: Vec<&str> =
        text.lines().filter_map(|l| l.trim().strip_prefix("stage('")).filter_map(|l| l.split('\'').next()).collect();
    assert_eq!(
        stages,
        [
            "Build and check (no AWS credentials)",
            "Pull request: terraform plan with the read-only role",
            "Deploy",
            "Branch",
            "Preflight",
            "Terraform plan",
            "Approve",
            "Terraform apply"
        ]
    );
    // Building and checking the branch runs where there are no AWS credentials.
    let build =
        &text[text.find("stage('Build and check").expect("build")..text.find("stage('Pull request").expect("pr")];
    assert!(build.contains("agent { label 'mlopsgen-build' }") && build.contains("AWS_EC2_METADATA_DISABLED = 'true'"));
    assert!(build.contains("sh 'target/release/mlopsgen plan --check'"));
    // Pull requests only plan, with the read-only role, never lock the state.
    let pr = &text[text.find("stage('Pull request").expect("pr")..text.find("stage('Deploy')").expect("deploy")];
    assert!(
        pr.contains("when { changeRequest() }")
            && pr.contains("-lock=false")
            && pr.contains("assume_role_arn=${e.planRole}")
    );
    assert!(!pr.contains("terraform apply"));
    assert!(text.contains("terraform init -input=false -lockfile=readonly"));
    assert!(text.contains("terraform apply -input=false tfplan"), "apply must use the reviewed plan file");
    assert!(text.contains("submitter: e.submitter"), "the approval is limited to the configured submitter");
    assert!(text.contains("env.BRANCH_NAME != e.branch"), "an environment is applied only from its branch");
}

/// Everything but `preflight` works with no network at all: the binary runs in a fresh network
/// namespace (`unshare -rn`, or `unshare -n` as root), where not even loopback is up.
#[test]
fn works_without_a_network() {
    let repo = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("environments"), &repo.path().join("environments"));
    let bin = env!("CARGO_BIN_EXE_mlopsgen");
    let isolated = |args: &[&str]| {
        let flags = if unsafe_is_root() { "-n" } else { "-rn" };
        Command::new("unshare")
            .arg(flags)
            .arg(bin)
            .arg("-C")
            .arg(repo.path())
            .args(args)
            .output()
            .expect("unshare must be available (util-linux)")
    };
    let probe = isolated(&["--version"]);
    assert!(
        probe.status.success(),
        "cannot create a network namespace here: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    for (args, code) in [
        (vec!["validate"], 0),
        (vec!["generate"], 0),
        (vec!["plan", "--check"], 0),
        (vec!["graph", "--format", "dot"], 0),
        (vec!["schema"], 0),
    ] {
        let out = isolated(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let pre = isolated(&["preflight", "prod"]);
    assert_eq!(pre.status.code(), Some(1), "preflight needs STS and must say so");
}

fn unsafe_is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

const ACCOUNTS: [&str; 6] =
    ["--dev-account", "111111111111", "--prod-account", "222222222222", "--registry-account", "333333333333"];

#[test]
fn init_in_an_empty_directory_gives_a_platform_that_validates_generates_and_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_str().expect("utf-8");
    let mut args = vec!["-C", root, "init", "--prefix", "acme", "--email", "ml-ops@example.com"];
    args.extend(["--approver-email", "ml-approvers@example.com", "--jenkins-account", "444444444444"]);
    args.extend(ACCOUNTS);
    let out = mlopsgen(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "nothing to warn about");
    let stdout = text(&out.stdout);
    for f in ["environments/dev.tfvars.json", "environments/prod.tfvars.json", "environments/registry.tfvars.json"] {
        assert!(stdout.contains(&format!("wrote {f}\n")), "{stdout}");
        let config = std::fs::read_to_string(dir.path().join(f)).expect("config written");
        assert!(config.contains("\"$schema\": \"../schema/env.schema.json\""), "{f}");
    }
    let schema = std::fs::read_to_string(dir.path().join("schema/env.schema.json")).expect("schema beside");
    assert_eq!(schema, text(&mlopsgen(&["schema"]).stdout), "the schema the configs reference");
    let gitignore = std::fs::read_to_string(dir.path().join(".gitignore")).expect(".gitignore");
    for line in [".terraform/", "*.tfstate", "*.tfstate.*"] {
        assert!(gitignore.lines().any(|l| l == line), "{line} in .gitignore");
    }
    // The next three commands, runnable as printed.
    let next: Vec<&str> = stdout.split("\nnext:\n").nth(1).expect("next commands").lines().collect();
    assert_eq!(next.len(), 3, "{stdout}");
    assert_eq!(next[0], format!("  mlopsgen -C {root} validate"));
    assert_eq!(next[1], format!("  mlopsgen -C {root} generate"));
    assert!(next[2].starts_with(&format!("  terraform -chdir={root}/generated/registry/bootstrap init")), "{stdout}");

    for (command, expected) in [(&["validate"][..], 0), (&["generate"][..], 0), (&["plan", "--check"][..], 0)] {
        let mut args = vec!["-C", root];
        args.extend(command);
        let out = mlopsgen(&args);
        assert_eq!(out.status.code(), Some(expected), "{command:?}: {}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(text(&out.stderr), "", "{command:?} has nothing to warn about");
    }
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_str().expect("utf-8");
    let mut args = vec!["-C", root, "init"];
    args.extend(ACCOUNTS);
    assert_eq!(mlopsgen(&args).status.code(), Some(0));
    std::fs::write(dir.path().join("environments/prod.tfvars.json"), "{\"edited\": true}").expect("edit");
    std::fs::remove_file(dir.path().join(".gitignore")).expect("remove");
    let out = mlopsgen(&args);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: init never overwrites a file"), "{err}");
    for f in ["environments/dev.tfvars.json", "environments/prod.tfvars.json", "schema/env.schema.json"] {
        assert!(err.contains(&format!("\n  {f}\n")), "{f} listed: {err}");
    }
    assert!(!err.contains(".gitignore"), "only the files that exist are listed: {err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("environments/prod.tfvars.json")).expect("read"),
        "{\"edited\": true}"
    );
    assert!(!dir.path().join(".gitignore").exists(), "nothing was written, not even the missing file");
}

#[test]
fn init_reports_every_flag_it_cannot_use_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_str().expect("utf-8");
    let out = mlopsgen(&["-C", root, "init"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        text(&out.stderr).contains("--dev-account, --prod-account, --registry-account needed"),
        "{}",
        text(&out.stderr)
    );
    let mut args = vec!["-C", root, "init", "--region", "us-east1", "--prefix", "Acme"];
    args.extend([
        "--dev-account",
        "111111111111",
        "--prod-account",
        "2222-2222-2222",
        "--registry-account",
        "111111111111",
    ]);
    let out = mlopsgen(&args);
    assert_eq!(out.status.code(), Some(64));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 4, "{err}");
    assert!(err.contains("--region \"us-east1\": not a region with the SageMaker images the pipelines use (did you mean \"us-east-1\"?)"), "{err}");
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none(), "nothing was written");
}

#[test]
fn init_from_the_seed_keeps_its_values_and_reports_exactly_what_is_still_needed() {
    let seed = fixture("seed/prod.tfvars.json");
    let seed = seed.to_str().expect("utf-8");
    // Without flags: every placeholder of the post, one line each.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_str().expect("utf-8");
    let out = mlopsgen(&["-C", root, "init", "--from", seed]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("environments/prod.tfvars.json still needs 13 values:"),
        "{}",
        text(&out.stdout)
    );

    // With the accounts: the six values no flag can know (names of existing resources).
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_str().expect("utf-8");
    let out = mlopsgen(&[
        "-C",
        root,
        "init",
        "--from",
        seed,
        "--prod-account",
        "222222222222",
        "--registry-account",
        "333333333333",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let listed: Vec<&str> = stdout
        .split("still needs 6 values:\n")
        .nth(1)
        .expect("the list")
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().nth(1).expect("placeholder"))
        .collect();
    assert_eq!(
        listed,
        [
            "\"<s3-bucket-in-prod-account>\"",
            "\"<s3-bucket-in-central-model-registry-account>\"",
            "\"<kms-key-id-in-prod-account>\"",
            "\"<terraform-state-s3-bucket-in-prod-account>\"",
            "\"<sagemaker-execution-role-in-prod-account>\"",
            "\"<sagemaker-execution-role-in-prod-account>\"",
        ],
        "{stdout}"
    );
    let file = dir.path().join("environments/prod.tfvars.json");
    let written = std::fs::read_to_string(&file).expect("config");
    let kept: serde_json::Value = serde_json::from_str(&written).expect("json");
    let original: serde_json::Value = serde_json::from_str(&seed_text()).expect("seed");
    assert_eq!(kept["inference_pipeline"]["cron_schedule"], original["inference_pipeline"]["cron_schedule"]);
    assert_eq!(kept["lambda_role"], "arn:aws:iam::222222222222:role/lambda-sagemaker-role", "the account filled in");
    assert_eq!(kept["$schema"], "../schema/env.schema.json");

    // Exactly those: with them replaced, the file validates.
    let filled = written
        .replace("<s3-bucket-in-prod-account>", "acme-sagemaker-prod-data")
        .replace("<s3-bucket-in-central-model-registry-account>", "acme-sagemaker-model-artifacts")
        .replace("<kms-key-id-in-prod-account>", "1234abcd-12ab-34cd-56ef-1234567890ab")
        .replace("<terraform-state-s3-bucket-in-prod-account>", "acme-tfstate-prod")
        .replace("<sagemaker-execution-role-in-prod-account>", "AmazonSageMaker-ExecutionRole-20240101T000000");
    std::fs::write(&file, filled).expect("fill in");
    let out = mlopsgen(&["-C", root, "validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
