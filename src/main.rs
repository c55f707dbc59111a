//! The `portsim` binary: a thin shell around `portsim::cli`.

fn main() -> std::process::ExitCode {
    portsim::cli::main()
}
