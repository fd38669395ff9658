//! `init --data FILE --label COLUMN`: the built binary learns a model's data contract from a CSV
//! file the test writes, and writes `models/<model>.json`; or refuses, naming the file, the line
//! and the column, with a hint, and writes nothing.

use crate::common;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

const ACCOUNTS: [&str; 6] =
    ["--dev-account", "111111111111", "--prod-account", "222222222222", "--registry-account", "333333333333"];

/// `mlopsgen -C DIR init <accounts> <args>`, run in `dir` (so `--data data.csv` is named as given).
fn init(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["-C", ".", "init"];
    all.extend(ACCOUNTS);
    all.extend(args);
    Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .args(&all)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run mlopsgen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A directory holding only `data.csv` with `csv`.
fn with_data(csv: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("data.csv"), csv).expect("write data");
    dir
}

fn model(dir: &Path, name: &str) -> (String, Value) {
    let text = std::fs::read_to_string(dir.join("models").join(format!("{name}.json"))).expect("model file");
    let v = serde_json::from_str(&text).expect("model file is JSON");
    (text, v)
}

fn column<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["data_contract"]["columns"].as_array().and_then(|c| c.iter().find(|c| c["name"] == name)).expect("column")
}

/// Only `data.csv` is left: nothing was written.
fn nothing_written(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["data.csv"], "nothing was written");
}

/// A small deterministic generator (no dependency, same data on every machine).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 500 rows of 30 numeric measurements (some negative, a few "?") and a 0/1 diagnosis that
/// depends on two of them, like the breast-cancer data sets.
fn measurements() -> String {
    let mut rng = Lcg(42);
    let names: Vec<String> = (1..=30).map(|i| format!("feature_{i:02}")).collect();
    let mut out = format!("{},diagnosis\r\n", names.join(","));
    for row in 0..500 {
        let values: Vec<f64> =
            (0..30).map(|f| rng.next() * (f as f64 + 1.0) * 10.0 - if f % 5 == 0 { 5.0 } else { 0.0 }).collect();
        let mut cells: Vec<String> = values.iter().map(|v| format!("{v:.3}")).collect();
        if row % 97 == 5 {
            cells[7] = "?".into();
        }
        let sick = values[1] / 20.0 + values[2] / 30.0 + rng.next() * 0.4 > 1.3;
        out.push_str(&format!("{},{}\r\n", cells.join(","), u8::from(sick)));
    }
    out
}

#[test]
fn learns_a_binary_contract_from_500_rows_of_30_measurements_and_it_validates() {
    let dir = with_data(&measurements());
    let out = init(dir.path(), &["--model", "cancer", "--data", "data.csv", "--label", "Diagnosis"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("wrote models/cancer.json\n"), "{stdout}");
    let (raw, v) = model(dir.path(), "cancer");
    assert!(
        raw.starts_with("{\n  \"$schema\": \"../schema/model.schema.json\",\n  \"problem_type\": \"binary\",\n  \"data_contract\": {\n    \"header\": \"present\",\n"),
        "{raw}"
    );
    assert!(raw.ends_with("}\n"));
    let columns = v["data_contract"]["columns"].as_array().expect("columns");
    assert_eq!(columns.len(), 31);
    let f01 = column(&v, "feature_01");
    assert_eq!(f01["type"], "numeric");
    assert_eq!(f01.get("min"), None, "negative values seen");
    assert_eq!(f01.get("max"), None, "never an observed maximum");
    let f02 = column(&v, "feature_02");
    assert_eq!(f02["min"], 0);
    assert!(f02["description"].as_str().expect("text").starts_with("observed 0."), "{f02}");
    assert!(column(&v, "feature_08")["description"].as_str().expect("text").ends_with("in 500 rows, 6 missing"));
    let label = column(&v, "diagnosis");
    assert_eq!(label["categories"], json!([0, 1]));
    let ones = measurements().lines().skip(1).filter(|l| l.ends_with(",1")).count();
    let positive = if ones * 2 <= 500 { 1 } else { 0 };
    assert_eq!(label["positive"], positive, "the rarer class");
    assert!(
        stdout.contains("\nmodels/cancer.json:\n  data.csv: 500 rows, 31 columns named by the header row (line 1)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  features: 30 numeric, 0 categorical\n"), "{stdout}");
    assert!(stdout.contains("  missing values: \"?\" in 6 cells\n"), "{stdout}");

    // The environments read the model file as init wrote it.
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .args(["-C", ".", "validate"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn learns_three_string_classes_with_missing_values() {
    let mut csv = String::from("\u{feff}petal length,petal width,colour,species\n");
    for i in 0..90 {
        let length = if i % 17 == 3 { "NA".to_string() } else { format!("{}.{}", 1 + i % 6, i % 10) };
        let colour = ["white", "blue", "", "purple"][i % 4];
        csv.push_str(&format!("{length},0.{},\"{colour}\",{}\n", i % 9, ["setosa", "versicolor", "virginica"][i % 3]));
    }
    let dir = with_data(&csv);
    let out = init(dir.path(), &["--data", "data.csv", "--label", "species"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (_, v) = model(dir.path(), "mammography-severity-model");
    assert_eq!(v["problem_type"], "multiclass");
    assert_eq!(v["data_contract"]["missing_values"], json!(["", "?", "NA", "NaN", "nan"]));
    assert_eq!(column(&v, "petal length")["description"], "observed 1..6.9 in 90 rows, 6 missing");
    assert_eq!(column(&v, "colour")["categories"], json!(["blue", "purple", "white"]));
    assert_eq!(column(&v, "colour")["description"], "3 categories in 90 rows, 22 missing");
    let label = column(&v, "species");
    assert_eq!(label["categories"], json!(["setosa", "versicolor", "virginica"]));
    assert_eq!(label.get("positive"), None);
    assert!(
        text(&out.stdout).contains("  \"species\": multiclass, 3 classes (text values)\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn learns_a_regression_label() {
    let mut rng = Lcg(7);
    let mut csv = String::from("rooms,age,river,price\n");
    for _ in 0..200 {
        let rooms = 3 + (rng.next() * 6.0) as u32;
        let price = 50.0 + f64::from(rooms) * 30.0 + rng.next() * 40.0;
        csv.push_str(&format!(
            "{rooms},{:.1},{},{price:.2}\n",
            rng.next() * 90.0,
            ["yes", "no"][usize::from(rng.next() < 0.8)]
        ));
    }
    let dir = with_data(&csv);
    let out = init(dir.path(), &["--model", "houses", "--data", "data.csv", "--label", "price"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (_, v) = model(dir.path(), "houses");
    assert_eq!(v["problem_type"], "regression");
    let label = column(&v, "price");
    assert_eq!((&label["type"], &label["role"], &label["min"]), (&json!("numeric"), &json!("label"), &json!(0)));
    assert_eq!(column(&v, "rooms")["type"], "numeric", "few integers stay a numeric feature");
    assert_eq!(column(&v, "river")["categories"], json!(["no", "yes"]));
    // The same column as classes, when asked: rooms has 6 integer values.
    let dir = with_data(&csv);
    let out = init(dir.path(), &["--data", "data.csv", "--label", "rooms", "--problem-type", "multiclass"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn without_data_the_model_file_holds_the_posts_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = init(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (_, v) = model(dir.path(), "mammography-severity-model");
    assert_eq!(v["problem_type"], "binary");
    assert_eq!(v["data_contract"]["header"], "auto");
    assert_eq!(v["data_contract"]["columns"][5]["name"], "Severity");
    assert!(text(&out.stdout).contains("learn it from your data with init --data FILE --label COLUMN"));
}

#[test]
fn the_model_file_is_never_overwritten() {
    let dir = with_data(&measurements());
    std::fs::create_dir(dir.path().join("models")).expect("mkdir");
    std::fs::write(dir.path().join("models/cancer.json"), "{}").expect("write");
    let out = init(dir.path(), &["--model", "cancer", "--data", "data.csv", "--label", "diagnosis"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("\n  models/cancer.json\n"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("models/cancer.json")).expect("read"), "{}");
    assert!(!dir.path().join("environments").exists(), "nothing was written");
}

#[test]
fn a_seed_names_the_model() {
    let dir = with_data(&measurements());
    let seed = common::fixture("seed/prod.tfvars.json");
    let out =
        init(dir.path(), &["--from", seed.to_str().expect("utf-8"), "--data", "data.csv", "--label", "diagnosis"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(model(dir.path(), "mammography-severity-model").1["problem_type"], "binary");
}

/// Runs init on `csv` with `args` and returns (exit code, stderr); asserts nothing was written.
fn refused(csv: &str, args: &[&str]) -> (i32, String) {
    let dir = with_data(csv);
    let mut all = vec!["--data", "data.csv"];
    all.extend(args);
    let out = init(dir.path(), &all);
    nothing_written(dir.path());
    assert_eq!(text(&out.stdout), "");
    (out.status.code().expect("exit code"), text(&out.stderr))
}

fn rows(header: &str, n: usize, row: impl Fn(usize) -> String) -> String {
    let mut out = format!("{header}\n");
    for i in 0..n {
        out.push_str(&row(i));
        out.push('\n');
    }
    out
}

#[test]
fn an_unknown_label_is_a_usage_error_with_a_did_you_mean() {
    let (code, err) = refused(&measurements(), &["--label", "diagnosys"]);
    assert_eq!(code, 64);
    assert_eq!(
        err,
        "error: data.csv:1: column \"diagnosys\": --label names no column of the file (31 columns)\n  = help: did you mean --label \"diagnosis\"?\nnothing was written\n"
    );
}

#[test]
fn a_ragged_row_names_its_line_and_the_column_it_lacks() {
    let csv =
        rows("age,shape,severity", 30, |i| if i == 11 { format!("{i},3") } else { format!("{i},{},{}", i % 4, i % 2) });
    let (code, err) = refused(&csv, &["--label", "severity"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: data.csv:13: 2 fields where the header has 3: the row ends before column \"severity\"\n  = help: every row needs a field per column; an empty field (,,) is a missing value\nnothing was written\n"
    );
}

#[test]
fn binary_with_three_classes_proposes_multiclass() {
    let csv = rows("x,grade", 30, |i| format!("{i},{}", ["low", "mid", "high"][i % 3]));
    let (code, err) = refused(&csv, &["--label", "grade", "--problem-type", "binary"]);
    assert_eq!(code, 64);
    assert!(
        err.starts_with(
            "error: data.csv:4: column \"grade\": --problem-type binary needs two classes; the label has 3 classes"
        ),
        "{err}"
    );
    assert!(err.contains("\n  = help: use --problem-type multiclass\n"), "{err}");
}

#[test]
fn regression_with_text_labels_proposes_binary() {
    let csv = rows("x,answer", 30, |i| format!("{i},{}", ["yes", "no"][i % 2]));
    let (code, err) = refused(&csv, &["--label", "answer", "--problem-type", "regression"]);
    assert_eq!(code, 64);
    assert!(
        err.starts_with(
            "error: data.csv:2: column \"answer\": --problem-type regression needs a numeric label; it holds \"yes\""
        ),
        "{err}"
    );
    assert!(err.contains("\n  = help: use --problem-type binary\n"), "{err}");
}

#[test]
fn a_positive_class_that_is_not_one_proposes_the_two() {
    let csv = rows("x,answer", 30, |i| format!("{i},{}", ["yes", "no"][i % 2]));
    let (code, err) = refused(&csv, &["--label", "answer", "--positive", "true"]);
    assert_eq!(code, 64);
    assert!(
        err.starts_with("error: data.csv:1: column \"answer\": --positive \"true\" is not a class of the label"),
        "{err}"
    );
    assert!(err.contains("\n  = help: use --positive \"no\" or --positive \"yes\"\n"), "{err}");
}

#[test]
fn a_duplicate_record_id_names_both_lines_and_proposes_a_unique_column() {
    let csv =
        rows("patient,visit,x,y", 30, |i| format!("P{},{},{},{}", if i == 20 { 4 } else { i }, 100 + i, i % 3, i % 2));
    let (code, err) = refused(&csv, &["--label", "y", "--id", "patient"]);
    assert_eq!(code, 64);
    assert_eq!(
        err,
        "error: data.csv:22: column \"patient\": record id \"P4\" appears again (first on line 6)\n  = help: record ids must be unique: use --id \"visit\", or leave out --id\nnothing was written\n"
    );
}

#[test]
fn a_missing_label_names_the_lines() {
    let csv = rows("x,y", 30, |i| format!("{i},{}", if i == 9 || i == 25 { "" } else { ["a", "b"][i % 2] }));
    let (code, err) = refused(&csv, &["--label", "y"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: data.csv:11: column \"y\": the label is missing in 2 rows (line 11, 27)\n"),
        "{err}"
    );
}

#[test]
fn a_duplicate_column_name_proposes_another() {
    let csv = rows("Age,AGE,y", 30, |i| format!("{i},{i},{}", i % 2));
    let (code, err) = refused(&csv, &["--label", "y"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: data.csv:1: column 2: column name \"AGE\" again (column 1 is \"Age\""), "{err}");
    assert!(err.contains("\n  = help: rename one in the header, e.g. \"AGE_2\"\n"), "{err}");
}

#[test]
fn data_flags_without_data_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = init(dir.path(), &["--label", "y", "--positive", "1"]);
    assert_eq!(out.status.code(), Some(64));
    assert_eq!(
        text(&out.stderr),
        "error: --label needs --data: the CSV file whose columns it describes\nerror: --positive needs --data: the CSV file whose columns it describes\n"
    );
    let out = init(dir.path(), &["--data", "data.csv"]);
    assert_eq!(out.status.code(), Some(64));
    assert_eq!(text(&out.stderr), "error: --data needs --label: the column the model predicts\n");
    let out = init(dir.path(), &["--data", "data.csv", "--label", "y", "--problem-type", "ordinal"]);
    assert_eq!(out.status.code(), Some(64), "clap lists the three");
    assert!(text(&out.stderr).contains("[possible values: binary, multiclass, regression]"), "{}", text(&out.stderr));
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none(), "nothing was written");
}

/// Every file under `dir` (recursively) whose bytes contain `needle`, ASCII case ignored, with
/// the line it is on (ZIP archives are stored uncompressed, so their text is searched too).
fn files_mentioning(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            for line in String::from_utf8_lossy(&bytes).lines() {
                if line.to_ascii_lowercase().contains(needle) {
                    hits.push(format!("{}: {}", path.strip_prefix(dir).unwrap_or(&path).display(), line.trim()));
                }
            }
        }
    }
    hits.sort();
    hits
}

/// `init --data` for a model that is not the blog post's, then `generate`: nothing written
/// names the post's data (its file, mammography, its columns' words).
#[test]
fn nothing_generated_for_another_model_mentions_the_posts_data() {
    let dir = with_data(&measurements());
    let out = init(dir.path(), &["--model", "cancer", "--data", "data.csv", "--label", "diagnosis"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .args(["-C", ".", "generate"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for needle in ["mammo", "mammographic", "bi-rads", "severity"] {
        for sub in ["generated", "environments", "models"] {
            let hits = files_mentioning(&dir.path().join(sub), needle);
            assert!(hits.is_empty(), "{sub}/ mentions {needle:?}:\n{}", hits.join("\n"));
        }
    }
}

/// `init --prefix telco`: every name the platform gives a resource starts with `telco-`; no
/// `mlops-` is left in what init writes or generate renders. (What stays is the tool's own
/// mark, `mlopsgen`: the managed-by tag, session and inline policy names, the state key.)
#[test]
fn init_prefix_starts_every_name_the_platform_chooses() {
    let dir = with_data(&measurements());
    let out =
        init(dir.path(), &["--prefix", "telco", "--jenkins-account", "444444444444", "--email", "ml@example.com"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .args(["-C", ".", "generate"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for sub in ["generated", "environments"] {
        let hits = files_mentioning(&dir.path().join(sub), "mlops-");
        assert!(hits.is_empty(), "{sub}/ still names mlops-:\n{}", hits.join("\n"));
    }
    let main = std::fs::read_to_string(dir.path().join("generated/prod/main.tf")).expect("prod main.tf");
    let bootstrap = std::fs::read_to_string(dir.path().join("generated/prod/bootstrap/main.tf")).expect("bootstrap");
    for name in [
        "\"telco-prod-latest-approved-model\"",
        "\"telco-prod-events-dlq\"",
        "\"telco-prod-start-pipelines\"",
        "\"telco-pipeline-alerts\"",
        "\"telco-access-logs-222222222222-us-east-1\"",
    ] {
        assert!(main.contains(name), "{name} in generated/prod/main.tf");
    }
    for name in ["\"alias/telco-prod-tfstate\"", "\"telco-prod-deploy-1\"", "\"telco-prod-role-boundary\""] {
        assert!(bootstrap.contains(name), "{name} in generated/prod/bootstrap/main.tf");
    }
}
