//! mlopsgen turns typed per-environment configs into the Terraform and SageMaker pipeline
//! definitions of a governed multi-account MLOps platform on AWS.
//!
//! The pipeline is one pass: `config` (load, spans kept) → `validate` (all environments
//! together) → `model` (validated environments, every name and ARN computed once). Only `cli`
//! prints or sets exit codes. See `ARCHITECTURE.md` for the code map and the invariants.

pub mod approvals;
pub mod cli;
pub mod config;
pub mod describe;
pub mod diag;
pub mod graph;
pub mod infer;
pub mod init;
pub mod model;
pub mod plan;
pub mod preflight;
pub mod render;
pub mod validate;
pub mod write;

pub use validate::{Validated, validate_repo};
