//! `versions`, `approve` and `reject` against the project's emulator (tools/emulator: moto, whose
//! patches record who created and who last changed a version as SageMaker does). The example
//! environments: prod and dev register into the registry's `mammo-severity-model-package`, whose
//! approver role `mlops-model-approver` needs MFA. The caller is the emulator's IAM user in the
//! registry account; versions are registered as the prod or dev execution role (the pipeline) or,
//! to test self-approval, as the caller. The emulator is required: these tests fail, never skip.

use crate::common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const GROUP: &str = "mammo-severity-model-package";
const GROUP_ARN: &str = "arn:aws:sagemaker:us-east-1:333333333333:model-package-group/mammo-severity-model-package";
const PROD_EXEC: &str = "arn:aws:iam::222222222222:role/sagemaker-execution-role";
const DEV_EXEC: &str = "arn:aws:iam::111111111111:role/sagemaker-execution-role";
const CALLER: &str = "arn:aws:iam::333333333333:user/mlopsgen-test";
const SESSION: &str = "arn:aws:sts::333333333333:assumed-role/mlops-model-approver/mlopsgen-mlopsgen-test";
const MFA: [&str; 4] = ["--mfa-serial", "arn:aws:iam::333333333333:mfa/mlopsgen-test", "--mfa-code", "123456"];

/// The emulator, started with the registry account's user, and its group.
struct Registry {
    emulator: Emulator,
}

impl Registry {
    fn start() -> Registry {
        let r = Registry { emulator: Emulator::start(Some("333333333333")) };
        assert_eq!(r.run(json!([{ "op": "group", "name": GROUP }]))[0], GROUP_ARN);
        r
    }

    /// Runs tests/helpers/registry_versions.py with the caller's credentials.
    fn run(&self, steps: Value) -> Value {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("steps.json");
        std::fs::write(&path, serde_json::to_vec(&steps).expect("json")).expect("write steps");
        let out = Command::new(runtime_python("emulator"))
            .arg(repo_root().join("tests/helpers/registry_versions.py"))
            .arg(self.emulator.var("AWS_ENDPOINT_URL"))
            .arg(&path)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", self.emulator.var("AWS_ACCESS_KEY_ID"))
            .env("AWS_SECRET_ACCESS_KEY", self.emulator.var("AWS_SECRET_ACCESS_KEY"))
            .output()
            .expect("run the registry helper");
        assert!(out.status.success(), "registry helper failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("helper prints JSON")
    }

    /// Registers `count` versions as `as_role` (None: as the caller) from `env`; their ARNs.
    fn register(&self, env: &str, as_role: Option<&str>, count: usize) -> Vec<String> {
        let mut step = json!({ "op": "versions", "group": GROUP_ARN, "env": env, "count": count });
        if let Some(role) = as_role {
            step["as_role"] = json!(role);
        }
        let arns = self.run(json!([step]));
        arns[0].as_array().expect("arns").iter().map(|a| a.as_str().expect("arn").to_string()).collect()
    }

    fn describe(&self, arn: &str) -> Value {
        self.run(json!([{ "op": "describe", "arn": arn }]))[0].clone()
    }

    /// The caller's credentials and the endpoint, as the binary sees them.
    fn aws(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.emulator.var("AWS_ENDPOINT_URL")),
            ("AWS_ACCESS_KEY_ID", self.emulator.var("AWS_ACCESS_KEY_ID")),
            ("AWS_SECRET_ACCESS_KEY", self.emulator.var("AWS_SECRET_ACCESS_KEY")),
        ]
    }

    fn secret(&self) -> String {
        self.emulator.var("AWS_SECRET_ACCESS_KEY")
    }
}

/// Runs the binary with only the given variables, no AWS configuration files and a bounded wait.
fn mlopsgen(repo: &Path, args: &[&str], vars: &[(&str, String)]) -> Output {
    let home = tempfile::tempdir().expect("home");
    let empty = home.path().join("empty");
    std::fs::write(&empty, "").expect("empty file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlopsgen"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &empty)
        .env("AWS_SHARED_CREDENTIALS_FILE", &empty)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    // Read the output while waiting: a listing can outgrow the pipe's buffer.
    let child = cmd.spawn().expect("spawn");
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(Duration::from_secs(90)) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            // SAFETY: kill has no memory-safety preconditions; pid is our child, not yet reaped.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("{args:?} did not finish within 90 s: its network calls must be bounded");
        }
    }
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

fn with_mfa<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(MFA).collect()
}

#[test]
fn versions_lists_status_people_provenance_metrics_and_evidence() {
    let reg = Registry::start();
    let prod = reg.register("prod", Some(PROD_EXEC), 1);
    let dev = reg.register("dev", Some(DEV_EXEC), 1);
    reg.run(json!([{ "op": "decide", "arn": prod[0], "status": "Approved", "reason": "AUC 0.91; baseline reviewed",
                     "as_role": "arn:aws:iam::333333333333:role/mlops-model-approver" }]));

    let out = mlopsgen(&repo_root(), &["versions", "prod", "--format", "json"], &reg.aws());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["ok"], true);
    let group = &doc["groups"][0];
    assert_eq!(group["name"], GROUP);
    assert_eq!(group["arn"], GROUP_ARN);
    assert_eq!(
        group["models"],
        json!([{ "environment": "dev", "model": "mammography-severity-model" },
               { "environment": "prod", "model": "mammography-severity-model" }])
    );
    let v = group["versions"].as_array().expect("versions");
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["version"], 1);
    assert_eq!(v[0]["status"], "Approved");
    assert_eq!(v[0]["serving"], true);
    assert_eq!(v[0]["approval_description"], "AUC 0.91; baseline reviewed");
    assert_eq!(v[0]["created_by"], "arn:aws:sts::222222222222:assumed-role/sagemaker-execution-role/SageMaker");
    assert_eq!(v[0]["last_modified_by"], "arn:aws:sts::333333333333:assumed-role/mlops-model-approver/SageMaker");
    assert_eq!(v[0]["provenance"]["source-environment"], "prod");
    assert_eq!(v[0]["provenance"]["model"], "mammography-severity-model");
    assert!(v[0]["provenance"]["pipeline-execution-arn"].as_str().expect("arn").ends_with("/execution/exec-0"));
    assert_eq!(v[0]["metadata"], json!({ "team": "ml-platform" }), "keys without mlopsgen: are kept apart");
    let evidence = "s3://acme-sagemaker-model-artifacts-333333333333/prod/mammography-severity-model/evidence/exec-0";
    assert_eq!(
        v[0]["metrics"],
        json!([
            { "name": "model quality statistics", "s3_uri": format!("{evidence}/evaluation/evaluation.json") },
            { "name": "data quality statistics", "s3_uri": format!("{evidence}/baseline/statistics.json") },
            { "name": "data quality constraints", "s3_uri": format!("{evidence}/baseline/constraints.json") },
        ])
    );
    assert_eq!(v[0]["evidence"][0]["name"], "model artifacts");
    assert_eq!(v[0]["evidence"][0]["s3_uri"], "s3://acme-sagemaker-model-artifacts-333333333333/prod/model-0.tar.gz");
    assert_eq!(v[0]["evidence"][1]["name"], "drift baseline: data quality statistics");
    assert_eq!(v[1]["version"], 2);
    assert_eq!(v[1]["arn"], dev[0]);
    assert_eq!(v[1]["status"], "PendingManualApproval");
    assert_eq!(v[1]["serving"], false);
    assert_eq!(v[1]["provenance"]["source-environment"], "dev");
    assert!(v[1]["approval_description"].is_null());

    // The registry lists all its groups; the text names the same facts.
    let out = mlopsgen(&repo_root(), &["versions", "registry"], &reg.aws());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("mammo-severity-model-package (account 333333333333, us-east-1; used by dev/mammography-severity-model, prod/mammography-severity-model)"), "{t}");
    assert!(t.contains("  version 1  Approved  "), "{t}");
    assert!(t.contains("(serving)"), "{t}");
    assert!(t.contains("    reason:        \"AUC 0.91; baseline reviewed\""), "{t}");
    assert!(t.contains("  version 2  PendingManualApproval  "), "{t}");
    assert!(t.contains("    provenance:    source-environment = dev"), "{t}");
    assert!(
        t.contains(&format!("    metrics:       model quality statistics: {evidence}/evaluation/evaluation.json")),
        "{t}"
    );
    assert!(!t.contains(&reg.secret()), "a secret was printed");

    // One model, by name; an unknown one is refused with the known names.
    let out = mlopsgen(&repo_root(), &["versions", "dev", "mammography-severity-model"], &reg.aws());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = mlopsgen(&repo_root(), &["versions", "dev", "churn-model"], &reg.aws());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0607]: dev has no model named \"churn-model\""), "{t}");
    assert!(t.contains("= help: use one of: mammography-severity-model"), "{t}");
}

#[test]
fn versions_reads_every_page_of_a_large_group() {
    let reg = Registry::start();
    reg.register("prod", Some(PROD_EXEC), 105);
    let out = mlopsgen(&repo_root(), &["versions", "prod", "--format", "json"], &reg.aws());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let numbers: Vec<i64> = doc["groups"][0]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["version"].as_i64().expect("number"))
        .collect();
    assert_eq!(numbers, (1..=105).collect::<Vec<_>>(), "ListModelPackages returns at most 100 a page");
}

#[test]
fn versions_of_a_group_that_does_not_exist_say_so() {
    let emulator = Emulator::start(Some("333333333333"));
    let aws = vec![
        ("AWS_ENDPOINT_URL", emulator.var("AWS_ENDPOINT_URL")),
        ("AWS_ACCESS_KEY_ID", emulator.var("AWS_ACCESS_KEY_ID")),
        ("AWS_SECRET_ACCESS_KEY", emulator.var("AWS_SECRET_ACCESS_KEY")),
    ];
    let out = mlopsgen(&repo_root(), &["versions", "prod"], &aws);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(
            "error[E0607]: model package group mammo-severity-model-package does not exist in account 333333333333"
        ),
        "{t}"
    );
}

#[test]
fn approve_sets_approved_with_the_reason_through_the_approver_role() {
    let reg = Registry::start();
    let arns = reg.register("prod", Some(PROD_EXEC), 2);
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["approve", "prod", "mammography-severity-model", "2", "--reason", "AUC 0.91 on the holdout set"]),
        &reg.aws(),
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains(&format!("caller:        {CALLER} (account 333333333333)")), "{t}");
    assert!(t.contains("approver role: arn:aws:iam::333333333333:role/mlops-model-approver"), "{t}");
    assert!(t.contains(&format!("assumed:       {SESSION} (account 333333333333)")), "{t}");
    assert!(t.contains(&format!("version 2 of {GROUP} ({})", arns[1])), "{t}");
    assert!(
        t.contains("  registered by: arn:aws:sts::222222222222:assumed-role/sagemaker-execution-role/SageMaker"),
        "{t}"
    );
    assert!(t.contains("  status:        PendingManualApproval -> Approved"), "{t}");
    assert!(t.contains("  reason:        (none) -> \"AUC 0.91 on the holdout set\""), "{t}");
    assert!(t.contains(&format!("  decided by:    (none) -> {SESSION}")), "{t}");
    assert!(t.contains("  serving:       no version -> version 2"), "{t}");
    assert!(t.contains(&format!("ok: version 2 of {GROUP} is now Approved")), "{t}");
    assert!(!t.contains(&reg.secret()) && !t.contains("123456"), "a secret was printed");
    // The change, as SageMaker records it: through the approver role's session, not the caller.
    assert_eq!(
        reg.describe(&arns[1]),
        json!({ "status": "Approved", "reason": "AUC 0.91 on the holdout set",
                "created_by": "arn:aws:sts::222222222222:assumed-role/sagemaker-execution-role/SageMaker",
                "last_modified_by": SESSION })
    );
    assert_eq!(reg.describe(&arns[0])["status"], "PendingManualApproval", "only the named version changes");
}

#[test]
fn reject_sets_rejected_with_the_reason_and_mfa_from_the_environment() {
    let reg = Registry::start();
    let arns = reg.register("dev", Some(DEV_EXEC), 1);
    let mut vars = reg.aws();
    vars.push(("MLOPSGEN_MFA_SERIAL", "arn:aws:iam::333333333333:mfa/mlopsgen-test".into()));
    vars.push(("MLOPSGEN_MFA_CODE", "654321".into()));
    let out = mlopsgen(
        &repo_root(),
        &["reject", "registry", GROUP, "1", "--reason", "recall too low for malignant cases", "--format", "json"],
        &vars,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["decision"], "Rejected");
    assert_eq!(doc["changed"], true);
    assert_eq!(doc["before"]["status"], "PendingManualApproval");
    assert_eq!(doc["after"]["status"], "Rejected");
    assert_eq!(doc["after"]["approval_description"], "recall too low for malignant cases");
    assert_eq!(doc["assumed"]["arn"], SESSION);
    assert!(doc["error"].is_null());
    let now = reg.describe(&arns[0]);
    assert_eq!(now["status"], "Rejected");
    assert_eq!(now["reason"], "recall too low for malignant cases");
    assert_eq!(now["last_modified_by"], SESSION);
}

#[test]
fn a_decision_needs_a_reason() {
    let reg = Registry::start();
    let arns = reg.register("prod", Some(PROD_EXEC), 1);
    let out = mlopsgen(&repo_root(), &with_mfa(&["approve", "prod", "mammography-severity-model", "1"]), &reg.aws());
    assert_eq!(out.status.code(), Some(64), "a missing --reason is a usage error: {}", text(&out));
    assert!(text(&out).contains("--reason <TEXT>"), "{}", text(&out));
    for reason in ["", "   "] {
        let out = mlopsgen(
            &repo_root(),
            &with_mfa(&["approve", "prod", "mammography-severity-model", "1", "--reason", reason]),
            &reg.aws(),
        );
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains("error[E0608]: the reason is empty"), "{t}");
        assert!(t.contains("= help: say why, e.g. --reason"), "{t}");
    }
    let long = "x".repeat(1025);
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["reject", "prod", "mammography-severity-model", "1", "--reason", &long]),
        &reg.aws(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("error[E0608]: the reason has 1025 characters; SageMaker keeps at most 1024"));
    assert_eq!(reg.describe(&arns[0])["status"], "PendingManualApproval", "nothing changed");
}

#[test]
fn approving_your_own_version_is_refused_even_with_force() {
    let reg = Registry::start();
    let own = reg.register("prod", None, 1);
    for extra in [&[][..], &["--force"][..]] {
        let mut args = with_mfa(&["approve", "prod", "mammography-severity-model", "1", "--reason", "looks good"]);
        args.extend_from_slice(extra);
        let out = mlopsgen(&repo_root(), &args, &reg.aws());
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(
            t.contains(&format!("error[E0610]: {CALLER} registered version 1 of {GROUP}, so cannot approve it")),
            "{t}"
        );
        assert!(t.contains("= help: another approver must approve it; a version needs a second person"), "{t}");
        assert!(t.contains(&format!("  registered by: {CALLER}")), "{t}");
    }
    let now = reg.describe(&own[0]);
    assert_eq!(now["status"], "PendingManualApproval", "nothing changed");
    assert!(now["reason"].is_null());
    assert_eq!(now["created_by"], CALLER);

    // Withdrawing your own version is allowed: a rejected version never serves.
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["reject", "prod", "mammography-severity-model", "1", "--reason", "registered by mistake"]),
        &reg.aws(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(reg.describe(&own[0])["status"], "Rejected");
}

#[test]
fn the_approver_role_needs_mfa_by_default() {
    let reg = Registry::start();
    let arns = reg.register("prod", Some(PROD_EXEC), 1);
    let args = ["approve", "prod", "mammography-severity-model", "1", "--reason", "AUC 0.91"];
    let out = mlopsgen(&repo_root(), &args, &reg.aws());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("error[E0609]: the approver role arn:aws:iam::333333333333:role/mlops-model-approver needs MFA, and no MFA code was given"),
        "{t}"
    );
    assert!(
        t.contains("= help: pass --mfa-serial ARN --mfa-code CODE (or set MLOPSGEN_MFA_SERIAL and MLOPSGEN_MFA_CODE)"),
        "{t}"
    );
    assert!(!t.contains("caller:"), "refused before any AWS call: {t}");

    let mut serial_only: Vec<&str> = args.to_vec();
    serial_only.extend(["--mfa-serial", "arn:aws:iam::333333333333:mfa/mlopsgen-test"]);
    let out = mlopsgen(&repo_root(), &serial_only, &reg.aws());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("error[E0609]: --mfa-serial was given without --mfa-code"), "{}", text(&out));

    let mut bad_code = serial_only.clone();
    bad_code.extend(["--mfa-code", "12345x"]);
    let out = mlopsgen(&repo_root(), &bad_code, &reg.aws());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("error[E0609]: the MFA code must be 6 digits"), "{}", text(&out));
    assert!(!text(&out).contains("12345x"), "the code is not echoed");
    assert_eq!(reg.describe(&arns[0])["status"], "PendingManualApproval", "nothing changed");

    // With approvals.require_mfa = false, no MFA is asked for.
    let repo = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("environments"), &repo.path().join("environments"));
    let path = repo.path().join("environments/registry.tfvars.json");
    let mut registry: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    registry["approvals"]["require_mfa"] = json!(false);
    std::fs::write(&path, serde_json::to_string_pretty(&registry).expect("json")).expect("write");
    let out = mlopsgen(repo.path(), &args, &reg.aws());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(reg.describe(&arns[0])["status"], "Approved");
}

#[test]
fn deciding_a_decided_version_again_needs_force() {
    let reg = Registry::start();
    let arns = reg.register("prod", Some(PROD_EXEC), 2);
    let decide = |verb: &str, version: &str, reason: &str, force: bool| {
        let mut args = with_mfa(&[verb, "prod", "mammography-severity-model", version, "--reason", reason]);
        if force {
            args.push("--force");
        }
        mlopsgen(&repo_root(), &args, &reg.aws())
    };
    assert_eq!(decide("approve", "1", "first model", false).status.code(), Some(0));
    assert_eq!(decide("approve", "2", "better AUC", false).status.code(), Some(0));

    for verb in ["approve", "reject"] {
        let out = decide(verb, "2", "again", false);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        assert!(t.contains(&format!("error[E0611]: version 2 of {GROUP} is already Approved (\"better AUC\")")), "{t}");
    }
    let out = decide("reject", "2", "drift in production", false);
    assert!(
        text(&out).contains("= help: add --force to decide again (a rejected approved version stops serving"),
        "{}",
        text(&out)
    );
    assert_eq!(reg.describe(&arns[1])["reason"], "better AUC", "nothing changed");

    let out = decide("reject", "2", "drift in production", true);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("  status:        Approved -> Rejected"), "{t}");
    assert!(t.contains("  reason:        \"better AUC\" -> \"drift in production\""), "{t}");
    assert!(t.contains(&format!("  decided by:    {SESSION} (unchanged)")), "{t}");
    assert!(t.contains("  serving:       version 2 -> version 1"), "{t}");
    assert!(t.contains(&format!("note: version 2 of {GROUP} was already Approved; deciding again (--force)")), "{t}");
    assert_eq!(reg.describe(&arns[1])["status"], "Rejected");
}

#[test]
fn an_unknown_version_is_refused() {
    let reg = Registry::start();
    reg.register("prod", Some(PROD_EXEC), 1);
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["approve", "prod", "mammography-severity-model", "7", "--reason", "x"]),
        &reg.aws(),
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains(&format!("error[E0607]: {GROUP} has no version 7")), "{t}");
    assert!(t.contains("= help: `mlopsgen versions registry` lists its versions"), "{t}");
}

#[test]
fn an_unreachable_endpoint_fails_within_the_bounds() {
    // A closed port on loopback: connection refused, twice, then E0602.
    let aws = vec![
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_string()),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "not-a-real-secret".to_string()),
    ];
    let out = mlopsgen(&repo_root(), &["versions", "prod"], &aws);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0602]: cannot reach SageMaker"), "{t}");
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["approve", "prod", "mammography-severity-model", "1", "--reason", "x"]),
        &aws,
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0602]: cannot reach STS"), "{t}");
    assert!(!t.contains("not-a-real-secret"), "{t}");
    // No credentials at all (and no instance metadata): said so, for both commands.
    let out = mlopsgen(&repo_root(), &["versions", "prod"], &aws[..1]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("error[E0604]: no AWS credentials found"), "{}", text(&out));
    let out = mlopsgen(
        &repo_root(),
        &with_mfa(&["reject", "prod", "mammography-severity-model", "1", "--reason", "x"]),
        &aws[..1],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("error[E0604]: no AWS credentials found"), "{}", text(&out));
}
