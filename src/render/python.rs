//! The generated Python (the pipeline steps' scripts and the Lambda), rendered with Tera from
//! `templates/code/` and `templates/lambda/`. Config text reaches Python only through the `py`
//! filter ([`literal`]): one door, as strict as the HCL one. It writes every value as a Python
//! literal in plain ASCII (`"\u00e9"`, `"\n"`), so no config string can end a string literal,
//! open a comment or change what the script does.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The templates, embedded at build time: `(name, source)`.
const TEMPLATES: &[(&str, &str)] = &[
    ("contract.py", include_str!("../../templates/code/contract.py.tera")),
    ("problem/binary.py", include_str!("../../templates/code/problem/binary.py.tera")),
    ("problem/multiclass.py", include_str!("../../templates/code/problem/multiclass.py.tera")),
    ("problem/regression.py", include_str!("../../templates/code/problem/regression.py.tera")),
    ("training/xgboost.py", include_str!("../../templates/code/training/xgboost.py.tera")),
    ("training/script.py", include_str!("../../templates/code/training/script.py.tera")),
    ("training/image.py", include_str!("../../templates/code/training/image.py.tera")),
    ("training/mlopsgen_train.py", include_str!("../../templates/code/training/mlopsgen_train.py.tera")),
    ("training/mlopsgen_serve.py", include_str!("../../templates/code/training/mlopsgen_serve.py.tera")),
    ("preprocess.py", include_str!("../../templates/code/preprocess.py.tera")),
    ("evaluate.py", include_str!("../../templates/code/evaluate.py.tera")),
    ("baseline.py", include_str!("../../templates/code/baseline.py.tera")),
    ("prepare_batch.py", include_str!("../../templates/code/prepare_batch.py.tera")),
    ("drift_check.py", include_str!("../../templates/code/drift_check.py.tera")),
    ("quality_check.py", include_str!("../../templates/code/quality_check.py.tera")),
    ("latest_approved_model.py", include_str!("../../templates/lambda/latest_approved_model.py.tera")),
    ("start_quality_check.py", include_str!("../../templates/lambda/start_quality_check.py.tera")),
];

/// A JSON value as a Python literal: `None`, `True`, numbers, ASCII-only double-quoted strings,
/// lists and dicts. The only way config text enters generated Python.
pub fn literal(v: &Value) -> String {
    let mut out = String::new();
    write_literal(v, &mut out);
    out
}

fn write_literal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => {
                let _ = write!(out, "{i}");
            }
            (None, Some(f)) if f.is_finite() => {
                // `{:?}` keeps a decimal point or exponent, so Python reads a float back exactly.
                let _ = write!(out, "{f:?}");
            }
            _ => out.push_str("None"),
        },
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(it, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, it)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string(k, out);
                out.push_str(": ");
                write_literal(it, out);
            }
            out.push('}');
        }
    }
}

/// A double-quoted Python string in printable ASCII.
fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
}

fn py_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(literal(value)))
}

/// A template split at its `{% raw %}` blocks: Tera parses the parts around them (named
/// `<name>#<i>`), and the raw text, which Tera would print as it is, is copied without being
/// parsed. Most of a script is raw Python, and Tera's grammar reads raw text one character at a
/// time (`!endraw_tag ~ ANY`): that parse was most of a run's time.
struct Engine {
    tera: tera::Tera,
    parts: Vec<Part>,
}

enum Part {
    Tera(String),
    Raw(&'static str),
}

const RAW: &str = "{% raw %}";
const ENDRAW: &str = "{% endraw %}";

/// The parts of `source`: only the plain `{% raw %}`/`{% endraw %}` spelling is split out (a
/// whitespace-controlled `{%- raw %}` stays Tera's); a raw block inside `{% if %}` or `{% for %}`
/// would leave a part that does not parse, which the unit test below catches.
fn split(source: &'static str) -> Vec<Result<&'static str, &'static str>> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find(RAW) {
        let Some(len) = rest[start + RAW.len()..].find(ENDRAW) else { break };
        out.push(Ok(&rest[..start]));
        out.push(Err(&rest[start + RAW.len()..start + RAW.len() + len]));
        rest = &rest[start + RAW.len() + len + ENDRAW.len()..];
    }
    out.push(Ok(rest));
    out
}

/// One engine per template, each built the first time the template is rendered: a command
/// parses only the templates it uses (a registry-only run none), once per process, and render
/// threads parse different templates side by side.
fn engine(name: &str) -> Option<&'static Engine> {
    static ENGINES: [OnceLock<Engine>; TEMPLATES.len()] = [const { OnceLock::new() }; TEMPLATES.len()];
    let i = TEMPLATES.iter().position(|(n, _)| *n == name)?;
    Some(ENGINES[i].get_or_init(|| {
        let mut tera = tera::Tera::default();
        // Python is not HTML: nothing is escaped except through the `py` filter.
        tera.autoescape_on(Vec::new());
        tera.register_filter("py", py_filter);
        let mut parts = Vec::new();
        for (k, piece) in split(TEMPLATES[i].1).into_iter().enumerate() {
            match piece {
                Ok("") => {}
                Ok(text) => {
                    let part = format!("{name}#{k}");
                    tera.add_raw_template(&part, text).expect("embedded templates parse (checked by a unit test)");
                    parts.push(Part::Tera(part));
                }
                Err(raw) => parts.push(Part::Raw(raw)),
            }
        }
        Engine { tera, parts }
    }))
}

/// Parses the templates `names` now (those not parsed yet), so that a later [`render`] finds
/// them ready: `render::render` calls it on a thread of its own while the environments' other
/// files are built. Unknown names are skipped.
pub fn prepare(names: &[String]) {
    for name in names {
        let _ = engine(name);
    }
}

/// Renders template `name` (e.g. `"preprocess.py"`) with `context`.
pub fn render(name: &str, context: &Value) -> String {
    // The templates and their context are the generator's own: a failure is a bug.
    let Some(engine) = engine(name) else { panic!("no template {name} in templates/") };
    let cx = tera::Context::from_serialize(context).unwrap_or_default();
    let mut out = String::new();
    for part in &engine.parts {
        match part {
            Part::Raw(text) => out.push_str(text),
            Part::Tera(part) => match engine.tera.render(part, &cx) {
                Ok(text) => out.push_str(&text),
                Err(e) => panic!("template {name} failed to render: {e:?}"),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals_are_ascii_python() {
        assert_eq!(
            literal(&json!({"a\"b": [1, 2.5, true, null, "x\\y\n\u{e9}\u{1F600}"]})),
            r#"{"a\"b": [1, 2.5, True, None, "x\\y\n\u00e9\U0001f600"]}"#
        );
        assert_eq!(literal(&json!(1e15)), "1000000000000000.0");
        assert_eq!(literal(&json!(1.5e300)), "1.5e300");
        assert_eq!(literal(&json!(4.0)), "4.0");
    }

    #[test]
    fn every_template_parses() {
        for (name, source) in TEMPLATES {
            let engine = engine(name).expect("known");
            assert!(engine.tera.get_template_names().count() >= 1, "{name}");
            // The raw text is split out (no `{% raw %}` reaches Tera), and nothing else is lost.
            let raw: usize = engine
                .parts
                .iter()
                .map(|p| if let Part::Raw(t) = p { t.len() + RAW.len() + ENDRAW.len() } else { 0 })
                .sum();
            assert!(raw > 0 || !source.contains(RAW), "{name}");
        }
        assert!(engine("nonexistent.py").is_none());
    }

    /// The split is invisible: a template renders as Tera renders it whole.
    #[test]
    fn splitting_out_raw_text_changes_no_byte() {
        let context = json!({"a": "x\"y", "items": [1, 2]});
        let source: &'static str = "head {{ a | py }}\n{% raw %}{{ not a tag }} {% if %}\n{% endraw %}{% for i in items %}{{ i }}{% endfor %}\n{% raw %}tail{% endraw %}";
        let mut whole = tera::Tera::default();
        whole.autoescape_on(Vec::new());
        whole.register_filter("py", py_filter);
        whole.add_raw_template("t", source).expect("parses");
        let expected = whole.render("t", &tera::Context::from_serialize(&context).expect("object")).expect("renders");
        let mut got = String::new();
        for piece in split(source) {
            match piece {
                Ok(text) => {
                    let mut t = tera::Tera::default();
                    t.autoescape_on(Vec::new());
                    t.register_filter("py", py_filter);
                    t.add_raw_template("p", text).expect("parses");
                    got.push_str(
                        &t.render("p", &tera::Context::from_serialize(&context).expect("object")).expect("renders"),
                    );
                }
                Err(raw) => got.push_str(raw),
            }
        }
        assert_eq!(got, expected);
        assert_eq!(expected, "head \"x\\\"y\"\n{{ not a tag }} {% if %}\n12\ntail");
    }
}
