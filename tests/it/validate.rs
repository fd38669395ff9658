//! Validation of whole repositories: the examples, the blog post's seed file, the kitchen-sink
//! file that sets every key, and one broken fixture per rule with its exact rendered report.

use crate::common;

use common::*;
use mlopsgen::config::shape::{self, Kind, Shape};
use mlopsgen::diag::Code;
use std::collections::BTreeSet;

#[test]
fn example_environments_validate_without_diagnostics() {
    let v = mlopsgen::validate_repo(&repo_root(), &[]);
    assert_eq!(v.report.render_plain(), "");
    let names: Vec<_> = v.envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "prod", "registry"]);
}

#[test]
fn frozen_base_matches_the_examples() {
    for env in ["dev", "prod", "registry"] {
        let file = format!("{env}.tfvars.json");
        let example = std::fs::read_to_string(repo_root().join("environments").join(&file)).expect("example");
        let base = std::fs::read_to_string(fixture("base/environments").join(&file)).expect("base");
        assert_eq!(
            example, base,
            "tests/fixtures/base/environments/{file} is a copy of environments/{file}; the broken fixtures overlay it"
        );
    }
    let file = "mammography-severity-model.json";
    let example = std::fs::read_to_string(repo_root().join("models").join(file)).expect("example model");
    let base = std::fs::read_to_string(fixture("base/models").join(file)).expect("base model");
    assert_eq!(example, base, "tests/fixtures/base/models/{file} is a copy of models/{file}");
}

#[test]
fn seed_file_reports_each_placeholder_with_position_and_hint() {
    let repo = temp_repo_with(&[("prod.tfvars.json", &seed_text())]);
    let v = mlopsgen::validate_repo(repo.path(), &[]);
    let placeholders: Vec<_> = v.report.diagnostics.iter().filter(|d| d.code == Code::E0206).collect();
    assert_eq!(placeholders.len(), 13, "{}", v.report.render_plain());
    let positions: Vec<(usize, usize)> = placeholders
        .iter()
        .map(|d| {
            let span = d.span.expect("placeholder diagnostics point at the placeholder");
            let lc = v.report.line_col(&d.file, span.start).expect("source known");
            (lc.line, lc.column)
        })
        .collect();
    assert_eq!(
        positions,
        [
            (7, 33),
            (8, 23),
            (9, 32),
            (10, 39),
            (10, 61),
            (12, 61),
            (16, 31),
            (19, 49),
            (20, 39),
            (20, 75),
            (24, 49),
            (26, 39),
            (26, 75)
        ]
    );
    assert!(placeholders.iter().all(|d| d.help.is_some() && !d.expected.is_empty()));
    // Nothing else is an error: the placeholders hide no second problem and cause no cascade.
    assert_eq!(v.report.error_count(), 13);
    assert_snapshot!("seed_unmodified", v.report.render_plain() + &v.report.summary("nothing was written"));
}

#[test]
fn seed_file_with_real_values_validates() {
    let text = seed_text()
        .replace("<prod-account-id>", "222222222222")
        .replace("<central-model-registry-account-id>", "333333333333")
        .replace("<s3-bucket-in-prod-account>", "acme-sagemaker-prod-data")
        .replace("<s3-bucket-in-central-model-registry-account>", "acme-sagemaker-model-artifacts")
        .replace("<kms-key-id-in-prod-account>", "1234abcd-12ab-34cd-56ef-1234567890ab")
        .replace("<terraform-state-s3-bucket-in-prod-account>", "acme-tfstate-prod")
        .replace("<sagemaker-execution-role-in-prod-account>", "AmazonSageMaker-ExecutionRole-20240101T000000");
    let repo = temp_repo_with(&[("prod.tfvars.json", &text)]);
    let v = mlopsgen::validate_repo(repo.path(), &[]);
    assert_eq!(v.report.error_count(), 0, "{}", v.report.render_plain());
    let prod = &v.envs[0];
    assert_eq!(prod.account_id, "222222222222", "the account comes from the seed's ARNs");
    let w = prod.workload.as_ref().expect("prod is a workload");
    assert_eq!(w.models.len(), 1);
    assert_eq!(w.models[0].group.account.as_deref(), Some("333333333333"));
    assert_eq!(w.execution_role.name, "AmazonSageMaker-ExecutionRole-20240101T000000");
    assert_eq!(w.execution_role.path, "/service-role/");
    assert!(!w.execution_role.create && !w.lambda_role.create, "ARNs in the seed reference existing roles");
    assert!(matches!(prod.kms_key, mlopsgen::model::KmsKey::Existing { .. }));
}

#[test]
fn kitchen_sink_sets_every_key_and_validates() {
    let repo = fixture("kitchen-sink");
    let mut v = mlopsgen::validate_repo(&repo, &[]);
    // prod references an existing key (the ARN form of kms_key): its policy is the owner's, so
    // validation always says what it needs (E0309). Nothing else is reported.
    let existing_key = |d: &mlopsgen::diag::Diagnostic| d.code == Code::E0309 && d.file.ends_with("prod.tfvars.json");
    assert_eq!(v.report.diagnostics.iter().filter(|d| existing_key(d)).count(), 1);
    v.report.diagnostics.retain(|d| !existing_key(d));
    assert_eq!(v.report.render_plain(), "");
    let mut present = BTreeSet::new();
    for env in ["dev", "prod", "registry"] {
        let text = std::fs::read_to_string(repo.join("environments").join(format!("{env}.tfvars.json"))).expect("read");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        collect_keys(&value, "", &mut present);
    }
    // A model file holds the same model keys (training, data_contract, ...) as an entry of
    // `models`: a key set there is set.
    for entry in std::fs::read_dir(repo.join("models")).expect("kitchen-sink models/") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        collect_keys(&value, "", &mut present);
    }
    let mut declared = BTreeSet::new();
    declared_keys(shape::env_file(), "", &mut declared);
    // The single-model keys at the top level and in each entry of `models` are one set of keys.
    let fold = |set: BTreeSet<String>| -> BTreeSet<String> {
        set.into_iter().map(|k| k.strip_prefix("models.*.").map(str::to_string).unwrap_or(k)).collect()
    };
    let (declared, present) = (fold(declared), fold(present));
    let missing: Vec<_> = declared.difference(&present).collect();
    assert!(missing.is_empty(), "keys declared in config::shape but not set in the kitchen sink: {missing:?}");
}

fn collect_keys(v: &serde_json::Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let generic = matches!(at, "models" | "model_package_groups" | "tags");
                let here = if at.is_empty() {
                    k.clone()
                } else if generic {
                    format!("{at}.*")
                } else {
                    format!("{at}.{k}")
                };
                if !generic {
                    out.insert(here.clone());
                }
                collect_keys(child, &here, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_keys(i, at, out)),
        _ => {}
    }
}

fn declared_keys(s: &Shape, at: &str, out: &mut BTreeSet<String>) {
    match &s.kind {
        Kind::Object { fields } => {
            for f in fields {
                let here = if at.is_empty() { f.name.to_string() } else { format!("{at}.{}", f.name) };
                out.insert(here.clone());
                declared_keys(&f.shape, &here, out);
            }
        }
        Kind::Map { values, .. } => declared_keys(values, &format!("{at}.*"), out),
        Kind::Array { items, .. } => declared_keys(items, at, out),
        Kind::Either(alts) => alts.iter().for_each(|a| declared_keys(a, at, out)),
        _ => {}
    }
}

/// The broken fixtures, in name order.
fn broken_cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> =
        std::fs::read_dir(fixture("broken")).expect("broken fixtures").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    cases
}

/// A temporary repository for a broken fixture: the frozen base overlaid by the case's
/// `environments/`, or only the case's own `environments/` when it holds a file `no-base`
/// (defects of the directory itself, such as having no config at all).
fn case_repo(case: &std::path::Path) -> tempfile::TempDir {
    if !case.join("no-base").exists() {
        return temp_repo(Some(case));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&case.join("environments"), &dir.path().join("environments"));
    if case.join("models").exists() {
        copy_dir(&case.join("models"), &dir.path().join("models"));
    }
    dir
}

fn case_name(case: &std::path::Path) -> String {
    case.file_name().and_then(|n| n.to_str()).expect("utf-8 case name").to_string()
}

/// Every case in tests/fixtures/broken overlays the frozen base with files that each contain one
/// defect; the snapshot is the exact report a user sees.
#[test]
fn broken_configs_report_exact_errors() {
    let cases = broken_cases();
    assert!(cases.len() >= 40, "at least 40 broken fixtures, found {}", cases.len());
    let mut codes_seen = BTreeSet::new();
    for case in &cases {
        let name = case_name(case);
        let repo = case_repo(case);
        let before = snapshot_tree(repo.path());
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        assert!(!v.report.diagnostics.is_empty(), "{name}: the defect went unnoticed");
        assert_eq!(before, snapshot_tree(repo.path()), "{name}: validation changed files on disk");
        codes_seen.extend(v.report.diagnostics.iter().map(|d| d.code));
        let text = v.report.render_plain() + &v.report.summary("nothing was written");
        assert_snapshot!(format!("broken__{name}"), text);
    }
    // Every validation rule has at least one fixture that trips it.
    let untested: Vec<_> = Code::ALL
        .iter()
        .filter(|c| c.raised_elsewhere().is_none() && !codes_seen.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(untested.is_empty(), "codes without a broken fixture: {untested:?}");
}

/// An existing key gets a warning with exactly the statements mlopsgen would write into the
/// policy of a key it created for the same environment (one source: render::deploy::key_policy), as JSON.
#[test]
fn existing_keys_are_told_the_statements_a_created_key_would_have() {
    for (case, env) in
        [("workload-existing-key-needs-policy", "prod"), ("registry-existing-key-needs-policy", "registry")]
    {
        let repo = case_repo(&fixture(&format!("broken/{case}")));
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        let warnings: Vec<_> = v.report.diagnostics.iter().filter(|d| d.code == Code::E0309).collect();
        assert_eq!(warnings.len(), 1, "{case}: one warning per existing key\n{}", v.report.render_plain());
        assert!(!v.report.has_errors(), "{case}: an existing key is not an error");
        let help = warnings[0].help.as_deref().expect("the statements are in the help");
        let pasted: serde_json::Value =
            serde_json::from_str(help.split_once("Add these statements to the key policy: ").expect("statements").1)
                .expect("the statements are JSON");

        // The same environment with a key mlopsgen creates: its policy has the same statements.
        let file = repo.path().join(format!("environments/{env}.tfvars.json"));
        let mut config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        config["kms_key"] = serde_json::json!({ "create": true });
        std::fs::write(&file, serde_json::to_string_pretty(&config).expect("json")).expect("write");
        let created = mlopsgen::validate_repo(repo.path(), &[]);
        assert_eq!(created.report.render_plain(), "", "{case}: with a created key nothing is left to say");
        let e = created.envs.iter().find(|e| e.name == env).expect("environment");
        let policy = mlopsgen::render::deploy::key_policy(e, &created.envs).expect("a created key has a policy");
        assert_eq!(pasted, mlopsgen::render::policy::to_json(policy)["Statement"], "{case}");

        let text = pasted.to_string();
        assert!(text.contains("\"events.amazonaws.com\""), "{case}: EventBridge delivers to the encrypted topic");
        if env == "prod" {
            assert!(text.contains("\"logs.us-east-1.amazonaws.com\""), "CloudWatch Logs encrypts the log groups");
            assert!(text.contains("log-group:/aws/lambda/mlops-prod-latest-approved-model"), "{text}");
            assert!(text.contains("log-group:jenkins-log"), "{text}");
        } else {
            for role in ["111111111111:role/sagemaker-execution-role", "222222222222:role/sagemaker-execution-role"] {
                assert!(text.contains(role), "the consumers' execution roles use the registry's key: {text}");
            }
        }
    }
}

/// Every proposed value is a valid one: for each diagnostic of each broken fixture that proposes
/// a replacement (`fix`), the value is written into a copy of the fixture and the repository
/// validated again. The problem (same code, file and path) must be gone; another rule may still
/// object, but no hint leads into the error it was meant to fix.
#[test]
fn every_proposed_fix_resolves_its_problem() {
    let mut applied = BTreeSet::new();
    for case in &broken_cases() {
        let name = case_name(case);
        let v = mlopsgen::validate_repo(case_repo(case).path(), &[]);
        for d in &v.report.diagnostics {
            let Some(fix) = &d.fix else { continue };
            let repo = case_repo(case);
            let file = repo.path().join(&fix.file);
            let text = std::fs::read_to_string(&file).expect("the fix names a config file");
            let fixed = mlopsgen::config::apply_fix(&text, &fix.path, &fix.value)
                .unwrap_or_else(|| panic!("{name}: the fix of {} points nowhere: {fix:?}", d.code.as_str()));
            std::fs::write(&file, &fixed).expect("write fixed config");
            let after = mlopsgen::validate_repo(repo.path(), &[]);
            let still: Vec<_> = after
                .report
                .diagnostics
                .iter()
                .filter(|a| a.code == d.code && a.file == d.file && a.json_path == d.json_path)
                .collect();
            assert!(
                still.is_empty(),
                "{name}: writing {} at {} does not fix {} at {}:\n{}",
                fix.value,
                fix.path,
                d.code.as_str(),
                d.json_path,
                after.report.render_plain()
            );
            applied.insert((name.clone(), d.code));
        }
    }
    assert!(applied.len() >= 30, "fixes applied: {applied:?}");
}

/// The diagnostics issue 23 names each carry a help and a fix, and the fixes together make their
/// fixture valid: not only is the problem gone, nothing else objects to the values proposed.
#[test]
fn the_proposed_fixes_of_these_fixtures_make_them_valid() {
    for name in [
        "bucket-too-long",
        "cron-hour-out-of-range",
        "email-list-in-one-string",
        "missing-required-env-group",
        "missing-required-region",
        "name-prefix-invalid",
    ] {
        let case = fixture(&format!("broken/{name}"));
        let repo = case_repo(&case);
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        let errors: Vec<_> = v.report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(!errors.is_empty(), "{name}: nothing reported");
        for d in &errors {
            assert!(d.help.is_some() && d.fix.is_some(), "{name}: {} without help or fix", d.code.as_str());
            let fix = d.fix.as_ref().expect("checked");
            let file = repo.path().join(&fix.file);
            let text = std::fs::read_to_string(&file).expect("the fix names a config file");
            let fixed = mlopsgen::config::apply_fix(&text, &fix.path, &fix.value).expect("the fix points somewhere");
            std::fs::write(&file, fixed).expect("write");
        }
        let after = mlopsgen::validate_repo(repo.path(), &[]);
        assert_eq!(after.report.error_count(), 0, "{name} with its fixes:\n{}", after.report.render_plain());
    }
}

/// A valid prefix can still make names too long with a long environment name: the Lambda that
/// finds the latest approved model may have 64 characters.
#[test]
fn name_prefix_and_a_long_environment_name_are_checked_together() {
    let env = "customer-churn-production";
    let config = |prefix: &str| {
        format!("{{\"env_group\": \"{env}\", \"aws_region\": \"us-east-1\", \"name_prefix\": \"{prefix}\"}}")
    };
    let too_long = |prefix: &str| {
        let repo = temp_repo_with(&[(&format!("{env}.tfvars.json"), &config(prefix))]);
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        v.report.diagnostics.iter().any(|d| d.code == Code::E0236 && d.message.contains("too long"))
    };
    // 18 + 1 + 25 + 22 = 66 characters; 16 make 64.
    assert!(too_long("abcdefghijklmnopqr"));
    assert!(!too_long("abcdefghijklmnop"));
}

fn snapshot_tree(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), std::fs::read(e.path()).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn selecting_environments_filters_diagnostics_but_checks_all_files() {
    let repo = temp_repo(Some(&fixture("broken/consumer-missing")));
    let v = mlopsgen::validate_repo(repo.path(), &["dev".to_string()]);
    assert_eq!(v.report.error_count(), 0, "the defect is reported in prod's file");
    let v = mlopsgen::validate_repo(repo.path(), &["prod".to_string()]);
    assert_eq!(v.report.error_count(), 1);
    let v = mlopsgen::validate_repo(repo.path(), &["staging".to_string()]);
    assert_eq!(v.report.diagnostics[0].code, Code::E0104);
}

#[test]
fn diagnostics_are_sorted_by_file_then_position() {
    let repo = temp_repo_with(&[
        ("prod.tfvars.json", &seed_text()),
        ("a.tfvars.json", "{\"env_group\": \"b\", \"aws_region\": \"mars-1\"}"),
    ]);
    let v = mlopsgen::validate_repo(repo.path(), &[]);
    let keys: Vec<_> = v.report.diagnostics.iter().map(|d| (d.file.clone(), d.span.map(|s| s.start))).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(v.report.files_with_errors() == 2);
}

#[test]
fn no_input_makes_validation_panic() {
    let inputs = [
        "",
        "null",
        "[]",
        "{}",
        "\"x\"",
        "{\"env_group\": null}",
        "{\"models\": {\"\": {}}}",
        "{\"kms_key\": []}",
        "{\"env_group\":\"prod\",\"aws_region\":\"us-east-1\",\"models\":{\"m\":{\"model_package_group_name\":\"arn:\"}}}",
        "{\"env_group\":\"prod\",\"aws_region\":\"us-east-1\",\"lambda_role\":\"arn:aws:iam::1:role/\"}",
        "{\"env_group\":\"prod\",\"aws_region\":\"us-east-1\",\"email\":[\"a@b.c\", 1, null]}",
        "{\"env_group\":\"prod\",\"aws_region\":\"us-east-1\",\"model_name\":\"<x>\",\"train_pipeline\":{\"arn\":\"arn:aws:sagemaker:<r>:<a>:pipeline/<p>\"}}",
        "{\"a\":1e999999,\"b\":-0,\"c\":123456789012345678901234567890}",
        "\u{feff}{}",
    ];
    for text in inputs {
        let repo = temp_repo_with(&[("prod.tfvars.json", text)]);
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        assert!(v.report.has_errors(), "{text:?} should not validate");
        let _ = v.report.render_plain();
        let _ = v.report.to_json();
    }
}

/// The JSON Schema, checked by a real validator: every example and the kitchen sink pass, and a
/// file with an unknown key fails.
#[test]
fn json_schema_accepts_examples_and_rejects_unknown_keys() {
    let schema = shape::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema itself is valid");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [repo_root().join("environments"), fixture("kitchen-sink/environments")] {
        for e in std::fs::read_dir(dir).expect("read dir") {
            files.push(e.expect("entry").path());
        }
    }
    for f in &files {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("environments/prod.tfvars.json")).expect("read"),
    )
    .expect("json");
    v["aws_regoin"] = serde_json::json!("us-east-1");
    assert!(!validator.is_valid(&v), "unknown top-level key must fail");
    v.as_object_mut().expect("object").remove("aws_regoin");
    v["train_pipeline"]["auc_treshold"] = serde_json::json!(0.5);
    assert!(!validator.is_valid(&v), "unknown nested key must fail");
}

/// docs/errors.md lists every code with one real example taken from the broken fixtures.
/// Regenerate with `UPDATE_DOCS=1 cargo test --test it error_docs`.
#[test]
fn error_docs_are_current() {
    let mut examples: std::collections::BTreeMap<Code, (String, String)> = Default::default();
    for case in &broken_cases() {
        let name = case_name(case);
        let repo = case_repo(case);
        let v = mlopsgen::validate_repo(repo.path(), &[]);
        for d in &v.report.diagnostics {
            if examples.contains_key(&d.code) {
                continue;
            }
            let mut one = v.report.clone();
            one.diagnostics = vec![d.clone()];
            examples.insert(d.code, (name.clone(), one.render_plain()));
        }
    }
    let mut doc = String::from(
        "# mlopsgen diagnostic codes\n\n\
         Generated from `tests/fixtures/broken/` by `UPDATE_DOCS=1 cargo test --test it error_docs`.\n\
         Codes are stable: E01xx loading, E02xx one file, E03xx across environments, E06xx AWS.\n\
         Every diagnostic has the same fields in `--format json`: code, severity, message, file, line,\n\
         column, end_line, end_column, path, label, expected, found, help, and fix: the value the help\n\
         proposes, as `{\"file\", \"path\", \"value\"}` (a value that passes the rule), or null.\n\n",
    );
    for code in Code::ALL {
        doc.push_str(&format!("## {}: {}\n\n", code.as_str(), code.summary()));
        match examples.get(code) {
            Some((case, text)) => {
                doc.push_str(&format!("Example (fixture `{case}`):\n\n```text\n{}```\n\n", text));
            }
            None => doc.push_str(&format!("{}\n\n", code.raised_elsewhere().unwrap_or("No example yet."))),
        }
    }
    let path = repo_root().join("docs/errors.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(repo_root().join("docs")).expect("docs/");
        std::fs::write(&path, &doc).expect("write docs/errors.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == doc, "docs/errors.md is stale: run UPDATE_DOCS=1 cargo test --test it error_docs");
}

/// Every prefix of every example, and every single-character substitution by a JSON-significant
/// character, validates without a panic (a cheap, deterministic stand-in until the fuzz target).
#[test]
fn truncated_and_corrupted_examples_never_panic() {
    for env in ["dev", "prod", "registry"] {
        let text =
            std::fs::read_to_string(fixture("base/environments").join(format!("{env}.tfvars.json"))).expect("read");
        let dir = temp_repo(None);
        let file = dir.path().join("environments").join(format!("{env}.tfvars.json"));
        let cuts: Vec<usize> = (0..text.len()).filter(|i| text.is_char_boundary(*i)).step_by(7).collect();
        for cut in cuts {
            std::fs::write(&file, &text[..cut]).expect("write");
            let v = mlopsgen::validate_repo(dir.path(), &[]);
            assert!(v.report.has_errors(), "{env} cut at {cut} validated");
            let _ = v.report.render_plain();
            for sub in ["\"", "{", "]", "<", "\\", "0"] {
                let mut corrupted = text.clone();
                if corrupted.is_char_boundary(cut + 1) {
                    corrupted.replace_range(cut..cut + 1, sub);
                    std::fs::write(&file, &corrupted).expect("write");
                    let v = mlopsgen::validate_repo(dir.path(), &[]);
                    let _ = v.report.render_plain();
                    let _ = v.report.to_json();
                }
            }
        }
    }
}
