// The binary-driven harness and the order flags live in `support/` (one
// module for every suite); this keeps `mod common;` in the suites that use
// only those parts.
#![allow(dead_code)]

#[path = "support/args.rs"]
mod args;
#[path = "support/cli.rs"]
mod cli;
#[path = "support/engine.rs"]
pub mod engine;
#[path = "support/keyring.rs"]
pub mod keyring;

#[allow(unused_imports)]
pub use args::*;
#[allow(unused_imports)]
pub use cli::*;
