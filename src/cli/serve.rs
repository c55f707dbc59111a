//! `portsim serve`: checks the flags, says where the app listens, and
//! leaves the rest to [`crate::serve`].

use super::Failure;
use super::args::ServeArgs;
use crate::serve::{self, Config};

/// `portsim serve …`.
pub fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let data_dir =
        crate::store::seal::data_dir().map_err(|e| Failure::User(format!("error: {e}")))?;
    let config = Config {
        workspace: args.workspace.clone(),
        data_dir,
        addr: args.addr,
        allow_remote: args.allow_remote,
    };
    if args.allow_remote && !args.addr.ip().is_loopback() {
        super::stderr::say(&format!(
            "warning: listening on {}, beyond this machine: the app has no login, so anyone who can reach this address can run simulations and edit the scenario files in the workspace; put it behind a reverse proxy with authentication (see docs/serve.md)",
            args.addr
        ));
    }
    serve::run(&config, |addr| {
        super::stderr::say(&format!(
            "portsim serve: http://{addr}/ (workspace {}); Ctrl-C to stop",
            args.workspace.display()
        ));
    })
    // A workspace, an address or a port the user chose: exit 2.
    .map_err(|e| Failure::User(e.to_string()))
}
