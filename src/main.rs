//! The `portsim` command line; see `portsim --help`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
