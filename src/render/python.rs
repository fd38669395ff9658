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

fn engine() -> &'static tera::Tera {
    static TERA: OnceLock<tera::Tera> = OnceLock::new();
    TERA.get_or_init(|| {
        let mut t = tera::Tera::default();
        // Python is not HTML: nothing is escaped except through the `py` filter.
        t.autoescape_on(Vec::new());
        t.register_filter("py", py_filter);
        t.add_raw_templates(TEMPLATES.iter().copied()).expect("embedded templates parse (checked by a unit test)");
        t
    })
}

/// Renders template `name` (e.g. `"preprocess.py"`) with `context`.
pub fn render(name: &str, context: &Value) -> String {
    let cx = tera::Context::from_value(context.clone()).unwrap_or_default();
    match engine().render(name, &cx) {
        Ok(text) => text,
        // The templates and their context are the generator's own; a failure is a bug.
        Err(e) => panic!("template {name} failed to render: {e:?}"),
    }
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
        let _ = engine();
        assert_eq!(engine().get_template_names().count(), TEMPLATES.len());
    }
}
