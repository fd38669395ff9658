//! The model of the platform: validated environments (`env`), and the image tables (`images`).
//! Every AWS name and ARN the generator writes is computed here, once.

pub mod env;
pub mod images;
pub mod names;
pub mod problem;

pub use env::*;
pub use problem::{Gate, Metric, ProblemType};
