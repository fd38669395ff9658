//! The manifest of each generated directory: which files mlopsgen wrote and their SHA-256, so a
//! later run can tell a hand edit (file differs from its manifest entry) from a change the config
//! causes (file matches the manifest, new content differs). No timestamps: the manifest is as
//! deterministic as the files.

use super::FileSet;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Name of the manifest file in each owned directory.
pub const MANIFEST: &str = ".mlopsgen-manifest.json";

/// Hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds `<dir>/.mlopsgen-manifest.json` for every top-level directory of the file set.
pub fn add_manifests(files: &mut FileSet) {
    let mut by_dir: BTreeMap<PathBuf, BTreeMap<String, String>> = BTreeMap::new();
    for (path, bytes) in &files.0 {
        let mut parts = path.components();
        let Some(top) = parts.next() else { continue };
        let rel: PathBuf = parts.collect();
        let rel = rel.to_string_lossy().replace('\\', "/");
        by_dir.entry(PathBuf::from(top.as_os_str())).or_default().insert(rel, sha256(bytes));
    }
    for (dir, entries) in by_dir {
        let doc = serde_json::json!({
            "generator": "mlopsgen",
            "version": env!("CARGO_PKG_VERSION"),
            "files": entries,
        });
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        files.insert(dir.join(MANIFEST), text);
    }
}

/// Reads a manifest's file → checksum map; `None` when absent or unreadable.
pub fn read(dir: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let files = v.get("files")?.as_object()?;
    Some(files.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
}
