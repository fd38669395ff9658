//! The `mlopsgen` binary: parse arguments, run the command, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    mlopsgen::cli::main()
}
