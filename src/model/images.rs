//! SageMaker's built-in image registries per framework, version and region, embedded from
//! `data/sagemaker-image-uris/` (the tables the SageMaker Python SDK ships). The only place that
//! knows which AWS account serves an image in a region.

use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The frameworks mlopsgen uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Xgboost,
    Sklearn,
    ModelMonitor,
}

fn table(f: Framework) -> &'static Value {
    static XGB: OnceLock<Value> = OnceLock::new();
    static SKL: OnceLock<Value> = OnceLock::new();
    static MON: OnceLock<Value> = OnceLock::new();
    let (cell, text) = match f {
        Framework::Xgboost => (&XGB, include_str!("../../data/sagemaker-image-uris/xgboost.json")),
        Framework::Sklearn => (&SKL, include_str!("../../data/sagemaker-image-uris/sklearn.json")),
        Framework::ModelMonitor => (&MON, include_str!("../../data/sagemaker-image-uris/model-monitor.json")),
    };
    cell.get_or_init(|| {
        serde_json::from_str(text).expect("embedded image table is valid JSON (checked by a unit test)")
    })
}

fn versions_node(f: Framework) -> Option<&'static serde_json::Map<String, Value>> {
    let t = table(f);
    match f {
        Framework::ModelMonitor => t.get("versions"),
        _ => t.get("training").and_then(|t| t.get("versions")),
    }
    .and_then(Value::as_object)
}

/// Versions of a framework's training image, as the tables list them.
pub fn versions(f: Framework) -> Vec<&'static str> {
    versions_node(f)
        .map(|m| m.keys().map(String::as_str).filter(|v| !v.is_empty() && *v != "1").collect())
        .unwrap_or_default()
}

/// `(account, repository)` of a framework image in a region, if it exists there.
pub fn registry(f: Framework, version: &str, region: &str) -> Option<(&'static str, &'static str)> {
    let node = versions_node(f)?.get(version)?;
    let account = node.get("registries")?.get(region)?.as_str()?;
    let repo = node.get("repository")?.as_str()?;
    Some((account, repo))
}

/// The version key of the model monitor table (it has a single, unnamed version).
pub const MODEL_MONITOR_VERSION: &str = "";

/// Every region any table knows: the region names mlopsgen accepts.
pub fn known_regions() -> &'static BTreeSet<String> {
    static REGIONS: OnceLock<BTreeSet<String>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        let mut set = BTreeSet::new();
        for f in [Framework::Xgboost, Framework::Sklearn, Framework::ModelMonitor] {
            for v in versions_node(f).into_iter().flat_map(|m| m.values()) {
                if let Some(regs) = v.get("registries").and_then(Value::as_object) {
                    set.extend(regs.keys().cloned());
                }
            }
        }
        set
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_know_us_east_1() {
        assert_eq!(registry(Framework::Xgboost, "1.7-1", "us-east-1"), Some(("683313688378", "sagemaker-xgboost")));
        assert_eq!(
            registry(Framework::Sklearn, "1.2-1", "us-east-1"),
            Some(("683313688378", "sagemaker-scikit-learn"))
        );
        assert_eq!(
            registry(Framework::ModelMonitor, MODEL_MONITOR_VERSION, "us-east-1").map(|r| r.0),
            Some("156813124566")
        );
        assert!(known_regions().contains("eu-west-1"));
        assert!(versions(Framework::Xgboost).contains(&"1.7-1"));
    }
}
