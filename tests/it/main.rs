//! The integration tests, one test binary. Each file here was its own binary (tests/*.rs), and
//! each linked the library and its dependencies again: 17 links of a ~50 MB SageMaker client made
//! most of a cold `cargo test` (numbers in the README, "Build cost"). As modules of one crate they
//! link once. Run one file's tests with `cargo test --test it validate::` (a name filter).

/// `insta::assert_snapshot!` under the names the snapshots had when every file was its own test
/// binary: insta prefixes a snapshot's name with the module path (`it::validate` here, `validate`
/// then) and looks beside the source file. The committed files stay where they were, unchanged:
/// `tests/snapshots/<file>__<name>.snap`.
macro_rules! assert_snapshot {
    ($name:expr, $value:expr) => {{
        let module = module_path!().rsplit("::").next().expect("a module path");
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(format!("{module}__{}", $name), $value));
    }};
}

mod common;

mod approvals;
mod cli;
mod crash;
mod deploy_role;
mod disk_errors;
mod events;
mod fuzz_regressions;
mod generate;
mod graph;
mod init_data;
mod localrun;
mod pipelines;
mod plan;
mod platforms;
mod preflight;
mod properties;
mod validate;
