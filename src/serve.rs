//! `portsim serve`: a local web app for policy teams, on tokio and axum.
//!
//! The app does what the command line does for scenarios, comparisons and
//! studies, in a browser: list a workspace's scenario and study files,
//! edit them with the CLI's diagnostics shown at their line, run, compare,
//! attribute, sweep, plan and test sensitivity with progress streamed to
//! the page, and read the results as the same HTML report,
//! with JSON, CSV and HTML downloads. Every result is kept in a ledger on
//! disk and served again instead of re-run.
//!
//! tokio serves I/O only: requests, files through its blocking pool, the
//! event streams. Simulations run on one worker thread through the
//! existing rayon machinery ([`jobs`]), so the engine stays free of async
//! code (`tests/all/architecture.rs` checks that tokio and axum are named
//! only under `src/serve/`). It is compiled with the `serve` cargo
//! feature, on by default; `--no-default-features` builds the command
//! line without it.
//!
//! Modules: [`app`](mod@app) (the router, its statuses, the pages' handlers),
//! [`api`] (the JSON API's handlers), [`attribute`] (interventions'
//! shares of a change), [`study`] (sweep, plan and sensitivity files),
//! [`workspace`] (which
//! paths a request may reach), [`work`] (a request checked, run and
//! rendered), [`jobs`] (the bounded queue and its worker), [`ledger`]
//! (stored results by run id, confined to the workspace and sealed with a
//! key kept in the user's data directory, see [`crate::store::seal`]), [`pages`] (the HTML), [`security`] (origin
//! and host checks, the Content-Security-Policy), [`sse`] (progress
//! events), [`listen`] (connections: header and body timeouts, the
//! connection limit, shutdown). Deployment and its risks:
//! `docs/serve.md`.

pub mod api;
pub mod app;
pub mod attribute;
pub mod calibrate;
pub mod jobs;
pub mod kind;
pub mod ledger;
pub mod listen;
pub mod logs;
pub mod now;
pub mod outcome;
pub mod pages;
pub mod prepared;
pub mod reform;
pub mod security;
pub mod sse;
pub mod state;
pub mod study;
pub mod work;
pub mod workspace;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use self::jobs::Queue;
use self::ledger::Ledger;
use self::security::Policy;
use self::state::App;
use self::workspace::Workspace;
use crate::store::seal::{Key, KeyError};

/// How to serve.
#[derive(Clone, Debug)]
pub struct Config {
    /// The folder of scenario files.
    pub workspace: PathBuf,
    /// The user's data directory, outside the workspace, where the key that
    /// seals this installation's results is kept (see
    /// [`crate::store::seal::data_dir`]).
    pub data_dir: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Whether an address beyond loopback is allowed.
    pub allow_remote: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The workspace is not a readable folder.
    #[error("error: {0}")]
    Workspace(String),
    /// An address beyond loopback without `--allow-remote`.
    #[error(
        "error: `{0}` is not a loopback address; the app has no login, so anyone who can reach it can run simulations and edit the workspace. Pass --allow-remote to listen there anyway (see docs/serve.md)"
    )]
    Remote(SocketAddr),
    /// Listening failed.
    #[error("error: cannot listen on `{addr}`: {error}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        error: std::io::Error,
    },
    /// The key that seals results cannot be had.
    #[error("error: {0}")]
    Key(#[from] KeyError),
    /// The runtime or the worker could not start.
    #[error("error: cannot start the server: {0}")]
    Start(std::io::Error),
}

/// The app on `workspace`: its router and its queue (whose worker runs
/// until [`Queue::stop`]). Results are sealed with the key kept in
/// `data_dir`, which must be outside the workspace (made on first use).
pub fn app(
    workspace: &Path,
    policy: Policy,
    data_dir: &Path,
) -> Result<(axum::Router, Arc<Queue>, std::thread::JoinHandle<()>), ServeError> {
    let workspace = Workspace::open(workspace).map_err(ServeError::Workspace)?;
    let key = key(&workspace, data_dir)?;
    let ledger = Ledger::new(workspace.root(), key);
    let (queue, worker) = Queue::start(ledger).map_err(ServeError::Start)?;
    let state = Arc::new(App {
        workspace,
        queue: Arc::clone(&queue),
    });
    Ok((app::router(state, policy), queue, worker))
}

/// The key in `data_dir`, refused if that folder is inside the workspace
/// (which may be shared: the key must not be).
fn key(workspace: &Workspace, data_dir: &Path) -> Result<Key, KeyError> {
    let absolute = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    // The nearest folder that exists, links followed, tells where it is.
    let real = absolute
        .ancestors()
        .find_map(|a| std::fs::canonicalize(a).ok())
        .unwrap_or(absolute);
    if real.starts_with(workspace.root()) {
        return Err(KeyError::InWorkspace(data_dir.to_path_buf()));
    }
    Key::load_or_create(data_dir)
}

/// Serves `config` until Ctrl-C or SIGTERM; `ready` is told the address
/// listened on (with the port chosen when 0 was asked for).
pub fn run(config: &Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    if !config.addr.ip().is_loopback() && !config.allow_remote {
        return Err(ServeError::Remote(config.addr));
    }
    let policy = Policy {
        allow_remote: config.allow_remote,
    };
    let (router, queue, worker) = app(&config.workspace, policy, &config.data_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Start)?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|error| ServeError::Bind {
                addr: config.addr,
                error,
            })?;
        let local = listener.local_addr().map_err(ServeError::Start)?;
        ready(local);
        // Stopping the queue first ends the running job and with it every
        // open event stream, which graceful shutdown waits for.
        let queue = Arc::clone(&queue);
        listen::serve(listener, router, listen::Limits::default(), async move {
            stopped().await;
            queue.stop();
        })
        .await;
        Ok(())
    });
    queue.stop();
    let _ = worker.join();
    served
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
