use std::process::ExitCode;

fn main() -> ExitCode {
    design_review::cli::run()
}
