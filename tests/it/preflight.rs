//! `preflight` against a real STS protocol peer on loopback (the project's emulator, moto, in
//! tools/emulator). The emulator is required: without it these tests fail, they never skip. Each test runs the
//! binary with a clean environment so nothing of the developer's own AWS setup leaks in.

use crate::common;

use common::*;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `mlopsgen preflight` with only the given AWS variables, a bounded wait, and no AWS
/// configuration files.
fn preflight(repo: &Path, env: &str, aws: &[(&str, String)], extra: &[&str]) -> Output {
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
        .arg("preflight")
        .arg(env)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in aws {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("preflight did not finish within 90 s: its network calls must be bounded");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn creds(e: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", e.var("AWS_ENDPOINT_URL")),
        ("AWS_ACCESS_KEY_ID", e.var("AWS_ACCESS_KEY_ID")),
        ("AWS_SECRET_ACCESS_KEY", e.var("AWS_SECRET_ACCESS_KEY")),
    ]
}

/// The examples with prod's `deploy` section removed: preflight then checks the ambient account.
fn repo_without_deploy() -> tempfile::TempDir {
    let repo = temp_repo(None);
    let path = repo.path().join("environments/prod.tfvars.json");
    let mut prod: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    prod.as_object_mut().expect("object").remove("deploy");
    std::fs::write(&path, serde_json::to_string_pretty(&prod).expect("json")).expect("write");
    repo
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn right_account_through_the_deploy_role_passes() {
    let e = Emulator::start(Some("444444444444"));
    let out = preflight(&repo_root(), "prod", &creds(&e), &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("credentials: arn:aws:iam::444444444444:user/mlopsgen-test (account 444444444444)"), "{t}");
    assert!(t.contains("assumed:     arn:aws:sts::222222222222:assumed-role/cross-account-jenkins-role/mlopsgen-preflight-prod (account 222222222222)"), "{t}");
    assert!(t.contains("ok: prod is account 222222222222"), "{t}");
    assert!(!t.contains(&e.var("AWS_SECRET_ACCESS_KEY")), "a secret was printed");
}

#[test]
fn right_account_without_a_deploy_role_passes() {
    let e = Emulator::start(Some("222222222222"));
    let repo = repo_without_deploy();
    let out = preflight(repo.path(), "prod", &creds(&e), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["caller"]["account"], "222222222222");
    assert!(v["assumed"].is_null());
}

#[test]
fn wrong_account_fails_naming_expected_and_actual() {
    let e = Emulator::start(Some("111111111111"));
    let repo = repo_without_deploy();
    let out = preflight(repo.path(), "prod", &creds(&e), &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("error[E0601]: the credentials belong to account 111111111111, but prod is account 222222222222"),
        "{t}"
    );
}

#[test]
fn credentials_of_another_environment_are_refused_before_assuming() {
    let e = Emulator::start(Some("111111111111"));
    let out = preflight(&repo_root(), "prod", &creds(&e), &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("error[E0601]: the credentials belong to account 111111111111, which is neither the Jenkins account 444444444444 nor prod's account 222222222222"),
        "{t}"
    );
    assert!(!t.contains("assumed:"), "{t}");
}

#[test]
fn missing_credentials_are_a_clear_error() {
    let e = Emulator::start(None);
    let out = preflight(&repo_root(), "prod", &[("AWS_ENDPOINT_URL", e.var("AWS_ENDPOINT_URL"))], &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0604]: no AWS credentials found; tried: Environment"), "{t}");
    assert!(!t.contains("panicked") && !t.contains("cannot reach STS"), "{t}");
}

#[test]
fn a_profile_that_does_not_exist_is_named() {
    let e = Emulator::start(None);
    let aws = [("AWS_ENDPOINT_URL", e.var("AWS_ENDPOINT_URL")), ("AWS_PROFILE", "nosuch".to_string())];
    let out = preflight(&repo_root(), "prod", &aws, &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0605]: the AWS profile \"nosuch\" (AWS_PROFILE) is not defined"), "{t}");
}

#[test]
fn unreachable_endpoint_fails_in_bounded_time() {
    // A loopback port with nothing listening: connection refused, reported, no hang.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let aws = [
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
    ];
    let out = preflight(&repo_root(), "prod", &aws, &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("error[E0602]: cannot reach STS"), "{t}");
}

#[test]
fn invalid_config_is_refused_before_any_network_call() {
    let repo = temp_repo(Some(&fixture("broken/account-id-eleven-digits")));
    let out = preflight(repo.path(), "prod", &[("AWS_ENDPOINT_URL", "http://127.0.0.1:9".to_string())], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("nothing was checked"), "{}", text(&out));
}
