//! A full disk and a read-only file system: `generate` fails with a clear message and leaves the
//! previous tree byte for byte. Runs the binary in a private mount namespace (`unshare -rm`) on a
//! small tmpfs, so it needs neither root nor a real full disk.

use crate::common;

use common::*;
use std::process::Command;

const SCRIPT: &str = r##"
set -u
bin=$1 src=$2 out=$3
mnt=$out/mnt
mkdir -p "$mnt"
mount -t tmpfs -o size=4m tmpfs "$mnt" || { echo "SETUP: cannot mount tmpfs"; exit 90; }
cp -r "$src/environments" "$mnt/"
"$bin" -C "$mnt" generate > /dev/null || { echo "SETUP: first generate failed"; exit 91; }
cp -r "$mnt/generated" "$out/before"
used=$(du -sk "$mnt" | cut -f1)
mount -o remount,size=$((used + 16))k "$mnt" || { echo "SETUP: cannot shrink tmpfs"; exit 92; }
sed -i 's#"alias": "alias/mlops-prod"#"alias": "alias/mlops-prod-v2"#' "$mnt/environments/prod.tfvars.json"
"$bin" -C "$mnt" generate > "$out/full.out" 2> "$out/full.err"; echo "FULL EXIT $?"
diff -r "$out/before" "$mnt/generated" > /dev/null && echo "FULL TREE INTACT"
mount -o remount,size=4m "$mnt"
rm -rf "$mnt"/generated/.[a-z]*
mount -o remount,ro "$mnt"
"$bin" -C "$mnt" generate > "$out/ro.out" 2> "$out/ro.err"; echo "RO EXIT $?"
diff -r "$out/before" "$mnt/generated" > /dev/null && echo "RO TREE INTACT"
cat "$out/full.err" "$out/ro.err"
"##;

#[test]
fn full_and_read_only_disks_are_clear_errors_that_change_nothing() {
    let out = tempfile::tempdir().expect("tempdir");
    let script = out.path().join("disk.sh");
    std::fs::write(&script, SCRIPT).expect("write script");
    let run = Command::new("unshare")
        .args(["-rm", "sh"])
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg(repo_root())
        .arg(out.path())
        .output()
        .expect("unshare must be available (util-linux)");
    let text = String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    assert!(!text.contains("SETUP:"), "the test could not set up its file systems: {text}");
    assert!(text.contains("FULL EXIT 1"), "{text}");
    assert!(text.contains("FULL TREE INTACT"), "a full disk changed the tree: {text}");
    assert!(text.contains("No space left on device"), "{text}");
    assert!(text.contains("RO EXIT 1"), "{text}");
    assert!(text.contains("RO TREE INTACT"), "{text}");
    assert!(text.contains("Read-only file system"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}
