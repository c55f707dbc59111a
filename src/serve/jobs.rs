//! The job queue: runs wait in a bounded first-in first-out queue and one
//! worker thread runs them, one at a time, on the existing rayon
//! machinery.
//!
//! tokio only serves requests; a simulation never runs on it. The worker
//! is a plain `std::thread` that takes the oldest waiting job, runs it
//! with [`work::execute`] (every core through rayon), stores the result in
//! the [`Ledger`] and moves on, so jobs start in the order they were
//! accepted. The queue holds at most [`MAX_QUEUED_RUNS`] waiting jobs: one
//! more is refused ([`SubmitError::Full`], HTTP 429) rather than letting a
//! busy server's memory grow. A request whose run id is already in the
//! ledger is answered from it without queueing; one whose id is waiting or
//! running is joined to that job. Cancelling sets the job's flag, which
//! the engine checks every few thousand events, so a running job stops
//! within moments and a waiting one is skipped. Progress goes out through
//! a `tokio::sync::watch` channel per job, which the worker writes from
//! plain threads and the server-sent-event stream reads.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use serde::Serialize;
use tokio::sync::watch;

use super::kind::Kind;
use super::ledger::{Ledger, Record};
use super::outcome::Report;
use super::prepared::Prepared;
use super::work;
use crate::scenario::limits::MAX_QUEUED_RUNS;

/// Finished jobs remembered for their status pages (their results stay in
/// the ledger for good).
const KEPT_JOBS: usize = 1_000;

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting in the queue.
    Queued,
    /// Being simulated.
    Running,
    /// Finished and stored in the ledger.
    Done,
    /// Cancelled; nothing was stored.
    Cancelled,
    /// Failed; see the message.
    Failed,
}

impl State {
    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, State::Done | State::Cancelled | State::Failed)
    }
}

/// A job's progress, as the status API and the event stream send it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Progress {
    /// The job's number.
    pub job: u64,
    /// Run or compare.
    pub kind: Kind,
    /// The run id its result is stored under.
    pub run_id: String,
    /// Where it is.
    pub state: State,
    /// Replications finished.
    pub done: u64,
    /// Replications requested (a study's work units; a plan's grow as
    /// it decides to look again).
    pub total: u64,
    /// A study's points (sensitivity: settings; plan: looks) finished.
    pub points: Option<u64>,
    /// How many points the study has, if known in advance (not a plan's).
    pub points_total: Option<u64>,
    /// Current 95% half-width of the watched metric, in its unit (seconds).
    pub half_width: Option<f64>,
    /// The watched metric.
    pub metric: &'static str,
    /// The job's place in the order jobs were started (1 = first).
    pub started: Option<u64>,
    /// Why it failed.
    pub message: Option<String>,
}

/// One accepted job.
#[derive(Debug)]
pub struct Job {
    prepared: Prepared,
    cancel: AtomicBool,
    progress: watch::Sender<Progress>,
}

impl Job {
    /// The current progress.
    pub fn progress(&self) -> Progress {
        self.progress.borrow().clone()
    }

    /// A receiver of every change of progress.
    pub fn subscribe(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    fn update(&self, f: impl FnOnce(&mut Progress)) {
        self.progress.send_modify(f);
    }
}

impl Report for Job {
    fn done(&self, done: u64) {
        self.update(|p| p.done = p.done.max(done));
    }

    fn half_width(&self, half_width: Option<f64>) {
        self.update(|p| p.half_width = half_width);
    }

    fn points(&self, done: u64, of: Option<u64>, total: u64) {
        self.update(|p| {
            p.points = Some(done);
            p.points_total = of;
            p.total = total.max(p.done);
        });
    }
}

/// What submitting a request led to.
#[derive(Debug)]
pub enum Submitted {
    /// The result was already in the ledger.
    Stored(Record),
    /// A job (new, or the same run already waiting or running).
    Job(Arc<Job>),
}

/// Why a job was refused.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The queue is full.
    #[error(
        "the queue is full ({MAX_QUEUED_RUNS} runs waiting); try again when a run has finished"
    )]
    Full,
    /// The server is stopping.
    #[error("the server is shutting down")]
    Stopping,
}

#[derive(Debug, Default)]
struct Inner {
    waiting: VecDeque<Arc<Job>>,
    running: Option<Arc<Job>>,
    jobs: BTreeMap<u64, Arc<Job>>,
    next_id: u64,
    started: u64,
    stopping: bool,
}

/// The queue and its worker.
#[derive(Debug)]
pub struct Queue {
    inner: Mutex<Inner>,
    wake: Condvar,
    ledger: Ledger,
}

impl Queue {
    /// A queue storing into `ledger`, with its worker thread started.
    pub fn start(ledger: Ledger) -> std::io::Result<(Arc<Queue>, JoinHandle<()>)> {
        let queue = Arc::new(Queue {
            inner: Mutex::new(Inner::default()),
            wake: Condvar::new(),
            ledger,
        });
        let worker = Arc::clone(&queue);
        let handle = std::thread::Builder::new()
            .name("portsim-jobs".into())
            .spawn(move || worker.work())?;
        Ok((queue, handle))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The ledger results are stored in.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Accepts `prepared`: answered from the ledger, joined to the same
    /// run in progress, or queued.
    pub fn submit(&self, prepared: Prepared) -> Result<Submitted, SubmitError> {
        let id = prepared.run_id();
        if let Some(record) = self.ledger.get(&id) {
            return Ok(Submitted::Stored(record));
        }
        let mut inner = self.lock();
        if inner.stopping {
            return Err(SubmitError::Stopping);
        }
        let same = inner
            .running
            .iter()
            .chain(&inner.waiting)
            .find(|j| j.prepared.run_id() == id && !j.cancel.load(Ordering::SeqCst));
        if let Some(job) = same {
            return Ok(Submitted::Job(Arc::clone(job)));
        }
        if inner.waiting.len() >= MAX_QUEUED_RUNS {
            return Err(SubmitError::Full);
        }
        inner.next_id += 1;
        let number = inner.next_id;
        let progress = Progress {
            job: number,
            kind: prepared.kind,
            run_id: id,
            state: State::Queued,
            done: 0,
            total: match &prepared.study {
                Some(study) => super::study::units(study),
                None => prepared.replications,
            },
            points: None,
            points_total: prepared
                .study
                .as_ref()
                .and_then(|s| s.points().map(|n| n as u64)),
            half_width: None,
            metric: work::WATCHED,
            started: None,
            message: None,
        };
        let job = Arc::new(Job {
            prepared,
            cancel: AtomicBool::new(false),
            progress: watch::Sender::new(progress),
        });
        inner.jobs.insert(number, Arc::clone(&job));
        while inner.jobs.len() > KEPT_JOBS {
            let oldest = inner
                .jobs
                .iter()
                .find(|(_, j)| j.progress().state.is_final())
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => inner.jobs.remove(&k),
                None => break,
            };
        }
        inner.waiting.push_back(Arc::clone(&job));
        drop(inner);
        self.wake.notify_all();
        Ok(Submitted::Job(job))
    }

    /// Job `id`, if it is remembered.
    pub fn job(&self, id: u64) -> Option<Arc<Job>> {
        self.lock().jobs.get(&id).cloned()
    }

    /// Asks job `id` to stop; false if there is no such job.
    pub fn cancel(&self, id: u64) -> bool {
        let Some(job) = self.job(id) else {
            return false;
        };
        job.cancel.store(true, Ordering::SeqCst);
        let mut inner = self.lock();
        if let Some(at) = inner.waiting.iter().position(|j| Arc::ptr_eq(j, &job)) {
            inner.waiting.remove(at);
            job.update(|p| p.state = State::Cancelled);
        }
        true
    }

    /// Jobs waiting, and whether one is running.
    pub fn load(&self) -> (usize, bool) {
        let inner = self.lock();
        (inner.waiting.len(), inner.running.is_some())
    }

    /// Stops the worker after the current job, which is cancelled; waiting
    /// jobs are cancelled too.
    pub fn stop(&self) {
        let mut inner = self.lock();
        inner.stopping = true;
        for job in inner.waiting.drain(..) {
            job.cancel.store(true, Ordering::SeqCst);
            job.update(|p| p.state = State::Cancelled);
        }
        if let Some(job) = &inner.running {
            job.cancel.store(true, Ordering::SeqCst);
        }
        drop(inner);
        self.wake.notify_all();
    }

    /// The worker: runs waiting jobs in order until stopped.
    fn work(&self) {
        loop {
            let job = {
                let inner = self.lock();
                let mut inner = self
                    .wake
                    .wait_while(inner, |i| i.waiting.is_empty() && !i.stopping)
                    .unwrap_or_else(PoisonError::into_inner);
                if inner.stopping {
                    return;
                }
                let Some(job) = inner.waiting.pop_front() else {
                    continue;
                };
                inner.started += 1;
                let order = inner.started;
                inner.running = Some(Arc::clone(&job));
                job.update(|p| {
                    p.state = State::Running;
                    p.started = Some(order);
                });
                job
            };
            let end = self.run(&job);
            // No longer running before anyone is told it ended, so that a
            // request after the end never joins this job.
            self.lock().running = None;
            job.update(|p| {
                p.state = end.0;
                p.message = end.1;
            });
        }
    }

    /// Runs one job and stores its result: the state it ends in, its
    /// message naming files relative to the workspace.
    fn run(&self, job: &Job) -> (State, Option<String>) {
        let (state, message) = self.outcome(job);
        let root = &job.prepared.root;
        (
            state,
            message.map(|m| super::workspace::relative_text(root, &m)),
        )
    }

    fn outcome(&self, job: &Job) -> (State, Option<String>) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            work::execute(&job.prepared, &job.cancel, job)
        }));
        match result {
            Ok(Ok(Some((record, files)))) => match self.ledger.put(&record, &files) {
                Ok(()) => (State::Done, None),
                Err(e) => (State::Failed, Some(e.to_string())),
            },
            Ok(Ok(None)) => (State::Cancelled, None),
            Ok(Err(message)) => (State::Failed, Some(message)),
            Err(_) => (
                State::Failed,
                Some("internal error: the run panicked (please report it)".into()),
            ),
        }
    }
}
