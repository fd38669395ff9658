//! Property tests: any value validation accepts renders HCL that hcl-rs parses and that gives the
//! value back exactly; rendering is identical across runs and independent of key order.

use crate::common;

use common::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn write_envs(dir: &Path, envs: &[(String, serde_json::Value)]) {
    std::fs::create_dir_all(dir.join("environments")).expect("mkdir");
    for (name, v) in envs {
        std::fs::write(
            dir.join(format!("environments/{name}.tfvars.json")),
            serde_json::to_string_pretty(v).expect("json"),
        )
        .expect("write");
    }
}

fn base() -> Vec<(String, serde_json::Value)> {
    ["dev", "prod", "registry"]
        .iter()
        .map(|e| {
            let text = std::fs::read_to_string(fixture(&format!("base/environments/{e}.tfvars.json"))).expect("read");
            (e.to_string(), serde_json::from_str(&text).expect("json"))
        })
        .collect()
}

fn reversed(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut items: Vec<_> = m.iter().collect();
            items.reverse();
            serde_json::Value::Object(items.into_iter().map(|(k, v)| (k.clone(), reversed(v))).collect())
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

/// The string attribute `attr` of the first block of kind `kind` whose labels end with `label`.
fn attribute(text: &str, kind: &str, label: &str, attr: &str) -> Option<String> {
    let body = hcl::parse(text).ok()?;
    let block =
        body.blocks().find(|b| b.identifier() == kind && b.labels().last().is_some_and(|l| l.as_str() == label))?;
    match block.body().attributes().find(|a| a.key() == attr)?.expr() {
        hcl::Expression::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn tag_value(text: &str, key: &str) -> Option<String> {
    let body = hcl::parse(text).ok()?;
    let provider = body.blocks().find(|b| b.identifier() == "provider")?;
    let tags = provider.body().blocks().find(|b| b.identifier() == "default_tags")?;
    let expr = tags.body().attributes().find(|a| a.key() == "tags")?.expr().clone();
    match expr {
        hcl::Expression::Object(o) => o.into_iter().find_map(|(k, v)| {
            let name = match k {
                hcl::ObjectKey::Identifier(i) => i.to_string(),
                hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s,
                _ => return None,
            };
            match (name == key, v) {
                (true, hcl::Expression::String(s)) => Some(s),
                _ => None,
            }
        }),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn accepted_free_text_round_trips_through_hcl(
        description in "\\PC{0,40}",
        group_description in "[ -~\\n\\t\"\\\\$%{}é😀]{0,40}",
        tag in "[A-Za-z0-9 _.:/=+@-]{0,30}",
    ) {
        let mut envs = base();
        envs[1].1["kms_key"]["description"] = serde_json::json!(description);
        envs[2].1["model_package_groups"]["mammo-severity-model-package"]["description"] = serde_json::json!(group_description);
        envs[1].1["tags"]["cost-center"] = serde_json::json!(tag);
        let dir = tempfile::tempdir().expect("tempdir");
        write_envs(dir.path(), &envs);
        let v = mlopsgen::validate_repo(dir.path(), &[]);
        prop_assume!(!v.report.has_errors());
        let files = mlopsgen::render::render(&v.envs, &[]);
        let text = |p: &str| String::from_utf8(files.0[&PathBuf::from(p)].clone()).expect("utf-8");
        for (path, bytes) in &files.0 {
            if path.extension().is_some_and(|e| e == "tf") {
                let t = String::from_utf8(bytes.clone()).expect("utf-8");
                prop_assert!(hcl::parse(&t).is_ok(), "{} does not parse", path.display());
            }
        }
        prop_assert_eq!(attribute(&text("prod/bootstrap/main.tf"), "module", "kms", "description"), Some(description));
        prop_assert_eq!(
            attribute(&text("registry/main.tf"), "resource", "mammo_severity_model_package", "model_package_group_description"),
            Some(group_description)
        );
        prop_assert_eq!(tag_value(&text("prod/providers.tf"), "cost-center"), Some(tag));
    }

    #[test]
    fn output_is_independent_of_key_order_and_stable(reverse_dev in any::<bool>(), reverse_prod in any::<bool>(), reverse_registry in any::<bool>()) {
        let envs = base();
        let flips = [reverse_dev, reverse_prod, reverse_registry];
        let shuffled: Vec<_> = envs.iter().zip(flips).map(|((n, v), f)| (n.clone(), if f { reversed(v) } else { v.clone() })).collect();
        let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
        write_envs(a.path(), &envs);
        write_envs(b.path(), &shuffled);
        let render = |d: &Path| {
            let v = mlopsgen::validate_repo(d, &[]);
            mlopsgen::render::render(&v.envs, &[])
        };
        let first = render(a.path());
        prop_assert_eq!(&first, &render(a.path()));
        prop_assert_eq!(&first, &render(b.path()));
    }
}
