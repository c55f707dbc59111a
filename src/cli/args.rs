//! Command-line arguments, as clap derives them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Simulate truck clearance at a land border port.
///
/// portsim runs a discrete-event model of a border port (truck arrivals,
/// gate and parking, clearance stages with lanes and opening hours,
/// appointments, rework, costs) described in a TOML scenario file, over many
/// independent replications, and reports each metric with a 95% confidence
/// interval. See docs/scenario-format.md for the file format.
#[derive(Debug, Parser)]
#[command(name = "portsim", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Colour in tables and messages: `auto` on a terminal only (and not
    /// when NO_COLOR is set), `always`, or `never`. JSON, CSV, JUnit,
    /// GitHub annotations and files are never coloured.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// When to colour (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    /// Always, even into a file or a pipe (NO_COLOR does not stop it).
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and report its metrics with 95% confidence intervals.
    Run(RunArgs),
    /// Compare a baseline with a variant (paired, common random numbers),
    /// or attribute a baseline's change to interventions.
    ///
    /// With VARIANT: both scenarios run with the baseline's seed, replication
    /// i of each sharing the same random streams, and every headline metric
    /// is reported with its change, the 95% CI of the paired difference and
    /// a verdict. With --intervention (repeatable; partial scenarios that
    /// extend the baseline): the baseline runs with every combination of the
    /// interventions (the 2^k factorial, k <= 4; with more, each alone and
    /// all together) and each intervention's share of the combined change is
    /// reported.
    Compare(CompareArgs),
    /// Fail CI when scenarios got worse than a recorded baseline.
    ///
    /// Runs each FILE with the seed and replications recorded in the
    /// baseline (common random numbers, so replication i is paired with the
    /// baseline's replication i) and checks the headline metrics. A metric
    /// FAILS when it is worse than the baseline by more than --tolerance AND
    /// the 95% CI of the paired difference excludes zero; the pooled p95 of
    /// time in port has no per-replication samples and is checked against
    /// the tolerance only. Improvements pass and are reported. The output
    /// also says whether the scenario or portsim changed since the baseline.
    ///
    /// With --update-baseline the FILEs are run and recorded instead (other
    /// scenarios in the baseline are kept); review the diff and commit it.
    ///
    /// Exit codes: 0 all passed (or baseline written), 1 a metric failed or a
    /// replication ran away, 2 bad input (arguments, scenario, baseline file,
    /// a FILE not in the baseline). See docs/ci.md.
    Check(CheckArgs),
    /// Run a scenario at many settings of some factors (a sweep).
    ///
    /// SWEEP.toml names the scenario (`scenario = "path.toml"`, relative to
    /// the sweep file) and lists `[[factors]]`, each a `key` (as for --set)
    /// with `values = [...]` or `range = [lo, hi]` (+ `step`; 1 for
    /// integers); the points are every combination, or with `lhs = N` a
    /// Latin hypercube of N points. `metrics = [...]` chooses what to
    /// report. Every point runs the same replications with the same seed
    /// (common random numbers), so points differ by their settings only.
    ///
    /// With --out DIR, each finished point is kept in DIR/points/, keyed by
    /// the hash of its resolved scenario, so the sweep resumes: running it
    /// again (after an interruption, or with more factor values) skips the
    /// points already done. Output: a table, JSON (`points[]` with `set` and `metrics`) or
    /// CSV (one row per point), and --html for charts with CI bands. See
    /// docs/planning.md.
    Sweep(SweepArgs),
    /// Find the least-cost capacity that meets constraints on metrics, with
    /// a statistical guarantee.
    ///
    /// PLAN.toml names the scenario, the decision variables (`[[decide]]`
    /// with `key`, `min`, `max`, `cost`), the constraints (`[[require]]`
    /// with `metric` and `max` or `min`, e.g. time_in_port_s.p95 <= "4h")
    /// and the `confidence` (default 0.95). Each candidate tried runs
    /// replications (common random numbers) until its confidence intervals
    /// decide every constraint, up to `max_replications`; the confidence is
    /// split over candidates, constraints and looks (Bonferroni), so it
    /// holds for the answer as a whole. Capacity is assumed to help (more
    /// of a decision variable never hurts), which lets one variable be
    /// bisected instead of enumerated. Output: the chosen plan, the
    /// runner-up and the evidence for every candidate tried. See
    /// docs/planning.md.
    Plan(PlanArgs),
    /// How much a metric, or the change between two scenarios, depends on
    /// uncertain parameters.
    ///
    /// SENS.toml names the scenario, the `metric` and `[[parameters]]`
    /// (each a `key` with `low` and `high` values); with `variant =
    /// "path.toml"` it studies the change from the scenario to the variant
    /// instead. Each parameter is set to its low and high value in turn
    /// (the others at the scenario's values) with common random numbers,
    /// and the swings are drawn as a tornado, widest on top, with 95% CI
    /// whiskers; a swing whose paired interval includes zero is marked as
    /// within the replication noise. With `[morris]`, many parameters are
    /// screened with Morris elementary effects instead. See
    /// docs/planning.md.
    Sensitivity(SensitivityArgs),
    /// Combine the partial results of a sharded run (`--shard I/N --part
    /// PART`) into what the run would have printed and written on one
    /// machine.
    ///
    /// The parts must come from the same command, portsim version,
    /// scenarios, seed and shard count, and hold every unit exactly once;
    /// otherwise nothing is written and the message names the files (and,
    /// for a gap, the shards to re-run). The output is byte for byte that of
    /// the unsharded command, apart from the manifest's `threads` and
    /// `wall_time_s`. The scenario and study files are read again, in the
    /// folder the shards ran in if it exists here (else in the current
    /// one), and must not have changed. See docs/cluster.md.
    Merge(MergeArgs),
    /// Calibrate a port from its own truck event log, and show whether the
    /// calibrated scenario explains it.
    ///
    /// LOG.csv has one row per milestone (`truck`, `time`, `event`,
    /// `stage`, optionally `lane` and `class`; another layout through
    /// --map). portsim reconstructs each truck's path and estimates the
    /// arrivals (per day, hour profile, weekday factors, dispersion),
    /// routing (visiting order, shares, rework), lanes, opening hours and
    /// service times, each with a 95% interval and its count; writes the
    /// calibrated scenario (--scenario, or --out with the JSON and the
    /// report); and runs it over the log's calendar (-r replications,
    /// common random numbers) to set it beside the log, metric by metric.
    /// A mistake in the log or the map names the file, row and column
    /// (exit 2, nothing written). See docs/event-log.md.
    Calibrate(CalibrateArgs),
    /// Forecast the next hours from the trucks in the port now, with 90%
    /// prediction intervals; or backtest such forecasts against the log.
    ///
    /// The state at --at is read from the log's rows before it (the
    /// calibration's format and --map): each truck still in the port is
    /// placed waiting, queued (in its order, with its age) or in service
    /// (continuing with the remaining time of a service that has lasted
    /// that long); a truck unseen for far longer than its state ever lasts
    /// is taken as gone and counted. The scenario then runs from there on
    /// the real clock (weekday, hour and date of --at) for --hours, -r
    /// times; each hour shows the mean and the 5th–95th percentiles across
    /// replications (nearest rank): arrivals, departures, trucks in port,
    /// each stage's queue and the time in port of the hour's arrivals.
    /// --backtest FROM..TO runs such forecasts at cut times through the
    /// log and scores them (error by hours ahead, interval coverage)
    /// beside the naive forecast (the log's own average for that hour of
    /// the week). Mistakes in the log, the map or a flag exit 2 with the
    /// file, row and column. See docs/forecast.md.
    Forecast(ForecastArgs),
    /// Print the JSON Schema of scenario files and intervention patches
    /// (or, with --kind, of sweep, plan or sensitivity files).
    ///
    /// Generated from the readers' own types; the repository ships them
    /// as schema/KIND.schema.json for editors (taplo, Even Better TOML).
    /// See docs/scenario-format.md, "Editor support".
    Schema(SchemaArgs),
    /// Serve a local web app on a workspace of scenario files.
    ///
    /// Lists the workspace's scenarios, edits them with the same
    /// diagnostics as the command line, runs and compares them with
    /// progress in the page, and shows the HTML report with JSON, CSV and
    /// HTML downloads. Every result is kept in WORKSPACE/.portsim/ledger/
    /// and served again instead of re-run. Listens on loopback only unless
    /// --allow-remote; see docs/serve.md. Stop it with Ctrl-C.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Print a shell completion script for portsim.
    ///
    /// Bash: `portsim completions bash > ~/.local/share/bash-completion/completions/portsim`;
    /// zsh: `portsim completions zsh > ~/.zfunc/_portsim` (with `fpath+=~/.zfunc`
    /// before `compinit`); fish: `portsim completions fish >
    /// ~/.config/fish/completions/portsim.fish`; PowerShell: `portsim
    /// completions powershell >> $PROFILE`; elvish: `portsim completions
    /// elvish >> ~/.config/elvish/rc.elv`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of portsim or of one of its commands.
    ///
    /// `portsim man > portsim.1` writes the page of portsim, which lists
    /// every command; `portsim man run > portsim-run.1` that of `run`.
    /// Read it with `man ./portsim.1`, or install it in a `man1` folder
    /// of your MANPATH.
    Man(ManArgs),
}

/// `portsim completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `portsim man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command, for its own page (default: the page of portsim).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `portsim forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// The port's scenario (its `horizon`, `warmup`, `replications` and
    /// `[initial]` do not apply).
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// The port's event log (CSV, as for `portsim calibrate`).
    #[arg(long, value_name = "LOG.csv")]
    pub log: PathBuf,
    /// A map file for a log in another layout (docs/event-log.md).
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// The forecast's time, a local date-time: `2025-03-20T06:00` (or in
    /// the log's own time format). Only rows before it are used.
    #[arg(long, value_name = "DATETIME")]
    pub at: Option<String>,
    /// Hours ahead.
    #[arg(long, value_name = "N", default_value_t = 24)]
    pub hours: u32,
    /// Replications.
    #[arg(
        long = "replications",
        short = 'r',
        value_name = "R",
        default_value_t = 500
    )]
    pub replications: u64,
    /// Master seed (default: the scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write an HTML page: the next hours with their bands (`-` for
    /// stdout instead of the table).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the reconstructed state as `[[initial.trucks]]` (atomically;
    /// never over an input).
    #[arg(long, value_name = "STATE.toml")]
    pub state_out: Option<PathBuf>,
    /// Backtest instead: forecasts at cut times from FROM to TO (two
    /// date-times, `FROM..TO`), each scored against the log.
    #[arg(long, value_name = "FROM..TO")]
    pub backtest: Option<String>,
    /// Time between the backtest's cuts (whole hours).
    #[arg(long, value_name = "DURATION", default_value = "6h")]
    pub every: String,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Stop a replication when more trucks than this are in the system.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trucks: u64,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `portsim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The event log (CSV with a header row).
    #[arg(value_name = "LOG.csv")]
    pub log: PathBuf,
    /// A map file for a log in another layout: `[csv] delimiter`,
    /// `[columns]`, `[time] format`, `[codes]` (docs/event-log.md).
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// Write the calibrated scenario here (atomically; no manifest).
    #[arg(long, value_name = "PORT.toml")]
    pub scenario: Option<PathBuf>,
    /// Write the set instead: calibrated.toml, calibration.json,
    /// calibration.txt, calibrate.html and manifest.json (last).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = StudyFormat::Table)]
    pub format: StudyFormat,
    /// Also write an HTML page: each stage's service times against the
    /// fitted families, arrivals, lanes, data quality and the validation
    /// (`-` for stdout instead of the table).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Replications of the validation run (and of the scenario written).
    #[arg(
        long = "replications",
        short = 'r',
        value_name = "N",
        default_value_t = 20
    )]
    pub replications: u64,
    /// Master seed of the scenario written and of the validation run.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Stop a validation replication when more trucks than this are in the
    /// system at once (a runaway queue).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trucks: u64,
    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Splitting a run over a job array.
#[derive(Clone, Debug, Args)]
pub struct ShardArgs {
    /// Run only shard I of N (counting from 0) of the work units, or
    /// `auto/N` to read I from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX
    /// or AWS_BATCH_JOB_ARRAY_INDEX (the first set). Writes the shard's
    /// partial result to --part and nothing on stdout; `portsim merge`
    /// combines the parts. See docs/cluster.md.
    #[arg(long, value_name = "I/N", requires = "part")]
    pub shard: Option<String>,
    /// With --shard: where to write the partial result.
    #[arg(long, value_name = "PART", requires = "shard")]
    pub part: Option<PathBuf>,
}

/// `portsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial results (files written by `--shard I/N --part PART`).
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Output format on stdout, as for the sharded command (`table`,
    /// `json`, and `csv` for run, compare and sweep) [default: table].
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Also write the command's `--out` set into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the command's self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// No warnings or notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options of the study commands (`sweep`, `plan`, `sensitivity`).
#[derive(Clone, Debug, Args)]
pub struct StudyOptions {
    /// Change one value of the studied scenario(s), for every point:
    /// KEY=VALUE, repeatable, applied after the study file's `[set]`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Replications per point (default: the study file's, else the
    /// scenario's); for `plan`, the first look of each candidate.
    #[arg(long, short = 'r', value_name = "N")]
    pub replications: Option<u64>,
    /// Master seed (default: the study file's, else the scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Stop a replication when more trucks than this are in the system at
    /// once (a runaway queue).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trucks: u64,
    /// No progress bar and no notes on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Output formats of `sweep`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SweepFormat {
    /// One row per point: factor values and metric means with CIs.
    Table,
    /// One JSON document on stdout.
    Json,
    /// One row per point, one column per factor and per metric (means).
    Csv,
}

/// `portsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    #[arg(value_name = "SWEEP.toml")]
    pub file: PathBuf,
    /// Study options.
    #[command(flatten)]
    pub options: StudyOptions,
    /// Sharding over a job array.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = SweepFormat::Table)]
    pub format: SweepFormat,
    /// Write sweep.json and sweep.csv into this directory, and keep every
    /// finished point in DIR/points/ so that a re-run skips it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML page: each metric against each
    /// factor with CI bands, and a heat map for two factors.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Output formats of `plan` and `sensitivity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StudyFormat {
    /// A readable summary and table.
    Table,
    /// One JSON document on stdout.
    Json,
}

/// `portsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan file (TOML).
    #[arg(value_name = "PLAN.toml")]
    pub file: PathBuf,
    /// Study options.
    #[command(flatten)]
    pub options: StudyOptions,
    /// Sharding over a job array.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = StudyFormat::Table)]
    pub format: StudyFormat,
    /// Also write plan.json into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML page with the evidence.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// `portsim serve`.
#[cfg(feature = "serve")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The folder of scenario files (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub workspace: PathBuf,
    /// Address and port to listen on (port 0: any free port, printed at
    /// start).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Allow an address beyond loopback, and any `Host` header (a reverse
    /// proxy's name). The app has no login: anyone who can reach it can
    /// run simulations and edit the workspace.
    #[arg(long)]
    pub allow_remote: bool,
}

/// `portsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The sensitivity file (TOML).
    #[arg(value_name = "SENS.toml")]
    pub file: PathBuf,
    /// Study options.
    #[command(flatten)]
    pub options: StudyOptions,
    /// Sharding over a job array.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = StudyFormat::Table)]
    pub format: StudyFormat,
    /// Write sensitivity.json into this directory, and keep every finished
    /// setting in DIR/points/ so that a re-run skips it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML page with the tornado chart.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A readable table per scenario file, reasons under failures.
    Table,
    /// One JSON document on stdout.
    Json,
    /// JUnit XML on stdout, for CI test reports.
    Junit,
    /// GitHub Actions workflow commands: an `::error` annotation per
    /// failure and per file that could not be checked (at its line),
    /// `::warning` per load warning, `::notice` per improvement and
    /// finding, then the summary line.
    Github,
}

/// `portsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files (TOML) to check or record.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The baseline (JSON, written by --update-baseline). Scenarios are
    /// keyed by their path relative to this file's directory.
    #[arg(long, value_name = "BASELINE.json")]
    pub baseline: PathBuf,
    /// Run the FILEs and record them in the baseline instead of checking.
    #[arg(long)]
    pub update_baseline: bool,
    /// How much worse a metric may get before it fails, relative to the
    /// baseline: "5%" or "0.05".
    #[arg(long, value_name = "TOLERANCE", default_value = "5%")]
    pub tolerance: String,
    /// Check only these metrics (repeat, or separate with commas).
    #[arg(
        long = "metric",
        value_name = "NAME",
        value_delimiter = ',',
        value_parser = clap::builder::PossibleValuesParser::new(crate::experiment::gate::NAMES)
    )]
    pub metrics: Vec<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Also write check.json and check.junit.xml into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a Markdown summary (a table of scenarios and metrics
    /// with their results) to FILE, appended when FILE exists, as
    /// GitHub's `$GITHUB_STEP_SUMMARY` expects: `--summary
    /// "$GITHUB_STEP_SUMMARY"`. Written atomically, whatever the check
    /// found. See docs/ci.md.
    #[arg(long, value_name = "FILE", conflicts_with = "update_baseline")]
    pub summary: Option<PathBuf>,
    /// With --update-baseline: replications to record (default: those
    /// already recorded for the file, else the scenario's; at least 2).
    #[arg(long, short = 'r', value_name = "N", requires = "update_baseline")]
    pub replications: Option<u64>,
    /// With --update-baseline: master seed to record (default: the
    /// scenario's `seed`).
    #[arg(long, value_name = "S", requires = "update_baseline")]
    pub seed: Option<u64>,
    /// Change one value of every FILE: KEY=VALUE, repeatable (see `portsim
    /// run --help`). The scenario hash then differs from the baseline's.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Worker threads (default: one per core; at most 1024). Results do
    /// not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Stop a replication when more trucks than this are in the system at
    /// once (a runaway queue); a runaway fails the check.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trucks: u64,
    /// No progress bar, and with --update-baseline no summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Output formats of `compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// A readable table with verdicts.
    Table,
    /// One JSON document on stdout.
    Json,
    /// One CSV row per metric (comparison.csv), values in seconds as JSON.
    Csv,
}

/// `portsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline scenario.
    pub baseline: PathBuf,
    /// The variant scenario (omit when using --intervention).
    pub variant: Option<PathBuf>,
    /// An intervention: a partial scenario with `extends` pointing at the
    /// baseline. Repeat for several. A file that does not extend the
    /// baseline is refused (exit 2) unless --force-intervention is given.
    #[arg(long = "intervention", value_name = "FILE")]
    pub interventions: Vec<PathBuf>,
    /// Apply --intervention files that do not extend the baseline anyway:
    /// every value they set is laid over the baseline, making a mixture
    /// of the two scenarios.
    #[arg(long, requires = "interventions")]
    pub force_intervention: bool,
    /// Run options (the seed and replications apply to both sides).
    #[command(flatten)]
    pub options: RunOptionsArgs,
    /// Sharding over a job array.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Also write comparison.json and comparison.csv (and, with
    /// --intervention, attribution.csv) into this directory, as one set
    /// with a manifest.json (see docs/limits.md); a directory in use is
    /// refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with charts to this file
    /// (opens offline in any browser; prints well). `-` prints the page on
    /// stdout instead of the table.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Output formats of `run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable summary with units and 95% confidence intervals.
    Table,
    /// One JSON document on stdout (durations in seconds).
    Json,
    /// The headline metrics as CSV on stdout.
    Csv,
}

/// Options shared by every command that runs scenarios.
#[derive(Clone, Debug, Args)]
pub struct RunOptionsArgs {
    /// Change one value of the scenario: KEY=VALUE, repeatable, applied
    /// after the files. Keys are dotted paths; stages and classes are
    /// addressed by name, other arrays by [i]:
    /// `--set stages.inspection.lanes=6 --set demand.rate=1300/d`. VALUE is
    /// read as TOML, or else as a string. Mistakes are reported at the
    /// override; the scenario hash covers it.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Independent replications (default: the scenario's `replications`).
    #[arg(long, short = 'r', value_name = "N")]
    pub replications: Option<u64>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Measured period after warm-up, e.g. "28d" (default: the scenario's).
    #[arg(long, value_name = "DURATION")]
    pub horizon: Option<String>,
    /// Warm-up period, e.g. "3d" (default: the scenario's).
    #[arg(long, value_name = "DURATION")]
    pub warmup: Option<String>,
    /// Worker threads (default: one per core; at most 1024). Results do
    /// not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Stop a replication when more trucks than this are in the system at
    /// once (a runaway queue), and exit with code 1.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_trucks: u64,
    /// No progress bar and no warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `portsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Run options.
    #[command(flatten)]
    pub options: RunOptionsArgs,
    /// Sharding over a job array.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write results.json and CSVs (per replication, stage, day and
    /// hour of day) into this directory, as one set with a manifest.json
    /// written last (see docs/limits.md); a directory in use is refused.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with charts to this file
    /// (opens offline in any browser; prints well). `-` prints the page on
    /// stdout instead of the table.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write one replication's truck events (arrive, start and end at
    /// each stage, depart, and leaving without clearing) of the measured
    /// period to this file, as an event log that `portsim calibrate` reads
    /// (see docs/event-log.md). Tracing changes no result.
    #[arg(long, value_name = "TRACE.csv")]
    pub trace: Option<PathBuf>,
    /// With --trace: the replication traced, numbered from 0 as in
    /// replications.csv [default: 0].
    #[arg(long, value_name = "I", requires = "trace")]
    pub trace_replication: Option<u64>,
    /// Add replications until each watched metric's 95% CI half-width is
    /// at most this share of its mean ("2%" or 0.02; metrics near zero
    /// have an absolute floor, see docs/planning.md). Starts from the
    /// scenario's replications (or --replications) and adds more in a fixed
    /// order, so the result is that of a plain run with the count reached;
    /// the report states the precision reached and the count.
    #[arg(long, value_name = "PERCENT")]
    pub precision: Option<String>,
    /// With --precision: the most replications to run [default: 200].
    #[arg(long, value_name = "N", requires = "precision")]
    pub max_replications: Option<u64>,
    /// With --precision: the metrics that must reach it (repeat, or
    /// separate with commas) [default: throughput_per_day, time_in_port_s,
    /// time_in_port_s.p95, wait_s, cost_per_truck].
    #[arg(
        long = "precision-metric",
        value_name = "KEY",
        value_delimiter = ',',
        requires = "precision"
    )]
    pub precision_metrics: Vec<String>,
}

/// `portsim schema [--kind KIND]`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which file's schema: a scenario (or intervention patch), a sweep, a
    /// plan or a sensitivity study.
    #[arg(long, value_enum, default_value = "scenario")]
    pub kind: SchemaKind,
}

/// The kinds of file `portsim schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// A scenario file or an intervention patch.
    Scenario,
    /// A sweep file.
    Sweep,
    /// A plan file.
    Plan,
    /// A sensitivity study file.
    Sensitivity,
}

impl SchemaKind {
    /// The library's kind.
    pub fn kind(self) -> crate::decide::schema::Kind {
        use crate::decide::schema::Kind;
        match self {
            SchemaKind::Scenario => Kind::Scenario,
            SchemaKind::Sweep => Kind::Sweep,
            SchemaKind::Plan => Kind::Plan,
            SchemaKind::Sensitivity => Kind::Sensitivity,
        }
    }
}
