//! Bulk jobs from a file (`--from-file`): the rows of a CSV or JSON-lines file run as one job of
//! the SDK ([`wxbrand_client::bulk`]), with a journal, `--resume`, progress, a summary, a file of
//! the failed rows and the exit code of the whole job.
//!
//! A command takes part by its item type implementing [`BulkRow`] (which columns it reads, and
//! its fields for the journal) and calling [`run`] when `--from-file` is given, with its flags
//! that stand for a column in rows without it ([`Defaults`]): `stock deactivate` with
//! `wxbrand_product_coupon::DeactivateStockItem` and `--reason` (`bulk_stock.rs`), `user-coupon
//! send` with `SendUserCouponItem` and `--appid`, `--product-coupon-id`, `--stock-id`, `--attach`
//! (`bulk_user_coupon.rs`).
//!
//! Output: the job id on stderr when generated; each invalid row on stderr with its line number;
//! progress on stderr (a bar with done, failed, rate and ETA on a terminal, else a plain line every
//! `--progress-interval` seconds); the summary on stdout (JSON, or a table with `--output table`).
//! Exit: 0 when every row was done, 1 when a row failed or was invalid, 2 for usage errors
//! (nothing sent), 130 when interrupted.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use wxbrand_client::bulk::{BulkItem, BulkJob, BulkOutcome, JobId};
use wxbrand_client::clock::{Clock, SystemClock};
use wxbrand_client::{ClientBuilder, RateLimit};
use wxbrand_core::field::OutRequestNo;
use wxbrand_core::Operation;
use wxbrand_sign::generate_nonce;

use super::bulk_input::{self, Row};
use super::bulk_journal::Journal;
use super::stock::{call_failure, client_builder, fresh_out_request_no, with_built_client};
use crate::cli::ConnectionArgs;
use crate::exit::{Failure, FailureKind};
use crate::{clock, config, output};

/// The largest `--from-file` read: 64 MiB (some 500,000 rows of two ids and a reason).
pub const MAX_ROWS_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// The flags of a bulk job, shared by every command that takes `--from-file`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Bulk job (--from-file)")]
pub struct BulkArgs {
    /// Run every row of FILE as one bulk job: CSV with a header row, or JSON lines (one object
    /// per line). Bad rows are reported with their line number; the others go on.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// Calls in flight at once (the client's rate limit applies on top).
    #[arg(long, value_name = "N", default_value_t = 8, requires = "from_file",
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub concurrency: u16,
    /// The job id (1–32 characters of 0-9A-Za-z_-): every row's request number derives from it
    /// and the row's identity. Generated and printed when absent.
    #[arg(long, value_name = "ID", requires = "from_file")]
    pub job_id: Option<String>,
    /// The journal, appended to and synced after each row [default: wxbrand-job-<JOB_ID>.journal.jsonl].
    #[arg(long, value_name = "PATH", requires = "from_file")]
    pub journal: Option<PathBuf>,
    /// Continue the job of the journal: skip the rows it shows done, send the others with the
    /// same request numbers (WeChat Pay acts once per number).
    #[arg(long, requires = "from_file")]
    pub resume: bool,
    /// Where the failed rows are written, as JSON lines that --from-file reads back
    /// [default: wxbrand-job-<JOB_ID>.failures.jsonl].
    #[arg(long, value_name = "PATH", requires = "from_file")]
    pub failures: Option<PathBuf>,
    /// This job's client-side limit in calls per second, or `none` [default: the operation's, e.g.
    /// 20 for deactivate_stock, WeChat Pay's limit per brand].
    #[arg(long, value_name = "N|none", requires = "from_file", value_parser = rate_limit)]
    pub rate_limit: Option<JobRate>,
    /// Seconds between progress lines when stderr is not a terminal.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, requires = "from_file",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub progress_interval: u64,
}

/// `--rate-limit`: calls per second, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobRate {
    /// At most this many calls per second.
    PerSecond(u32),
    /// No client-side limit.
    Unlimited,
}

fn rate_limit(text: &str) -> Result<JobRate, String> {
    match text {
        "none" => Ok(JobRate::Unlimited),
        _ => match text.parse::<u32>() {
            Ok(n) if n > 0 => Ok(JobRate::PerSecond(n)),
            _ => Err("a number of calls per second above 0, or `none`".into()),
        },
    }
}

/// A command's flags that stand for a column in the rows without it: the column and the flag's
/// value, if given (e.g. `("reason", --reason)`). A CSV header need not name a column whose flag
/// is given; the journal and the failures file hold the value each row was sent with.
pub(crate) type Defaults<'a> = [(&'static str, Option<&'a str>)];

/// An item type of the SDK's bulk jobs as a row of `--from-file`.
pub(crate) trait BulkRow: BulkItem + Sized + Send + 'static {
    /// The columns every row must give (a CSV header row must name them, unless the command's
    /// flag for one is given).
    const COLUMNS: &'static [&'static str];
    /// The item of a row (the command's [`Defaults`] filled in); the error says what is wrong
    /// with the row.
    fn from_row(row: &Row) -> Result<Self, String>;
    /// The item's columns and values, for the journal and the failures file (which
    /// [`from_row`](Self::from_row) reads back).
    fn fields(&self) -> Map<String, Value>;
}

/// The value of a required column, or the row's error.
pub(crate) fn required<'a>(row: &'a Row, column: &str) -> Result<&'a str, String> {
    row.get(column).ok_or_else(|| format!("no {column}"))
}

/// The rows to send, and what was left out.
struct Plan<T> {
    /// Line number and item of each row to send.
    rows: Vec<(u64, T)>,
    left_out: LeftOut,
}

/// What the job came to.
#[derive(Debug, Default)]
struct Tally {
    succeeded: usize,
    failed: usize,
    failures: Vec<Value>,
}

/// Runs the rows of `file` as one bulk job of `T` (the command's `--from-file`).
pub(crate) fn run<T>(
    file: &Path,
    args: &BulkArgs,
    connection: &ConnectionArgs,
    defaults: &Defaults<'_>,
) -> Result<(), Failure>
where
    T: BulkRow,
    T::Operation: Send + Sync + 'static,
    <T::Operation as Operation>::Response: Send + 'static,
{
    let job_id = job_id(args)?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_path(&job_id, "journal"));
    let failures_path = args
        .failures
        .clone()
        .unwrap_or_else(|| default_path(&job_id, "failures"));
    let bytes = config::read_file(file, "rows file (--from-file)", MAX_ROWS_FILE_SIZE)?;
    let given = |column: &&str| defaults.iter().any(|(c, v)| c == column && v.is_some());
    let columns: Vec<&str> = T::COLUMNS.iter().copied().filter(|c| !given(c)).collect();
    let rows = bulk_input::rows(&bytes, &columns)
        .map_err(|e| Failure::usage(format!("--from-file {}: {e}", file.display())))?;
    let builder = with_rate(
        client_builder(connection)?,
        args.rate_limit,
        T::Operation::NAME,
    );
    let concurrency = NonZeroUsize::new(usize::from(args.concurrency)).unwrap_or(NonZeroUsize::MIN);
    let job = BulkJob::new(job_id, concurrency);
    with_built_client(builder, |client| async move {
        let (mut journal, done) =
            Journal::open(&journal_path, job.id(), T::Operation::NAME, args.resume)?;
        let plan = plan::<T>(rows, &job, &done.numbers, defaults);
        let to_send = plan.rows.len();
        let lines: Vec<u64> = plan.rows.iter().map(|(line, _)| *line).collect();
        let items = plan.rows.into_iter().map(|(_, item)| item);
        let progress = Progress::start(to_send);
        progress.note(&format!(
            "job {}: {to_send} row(s) to send, {} already done, journal {}",
            job.id(),
            plan.left_out.already_done,
            journal_path.display()
        ));
        let mut results = job.run(&client, items);
        let stopper = results.stopper();
        let mut tally = Tally::default();
        let mut interrupts = 0u32;
        let mut ctrl_c = Interrupts::listen();
        let interval = Duration::from_secs(args.progress_interval);
        let mut tick = tokio::time::interval(interval);
        tick.reset(); // the first line after one interval, not at once
        loop {
            tokio::select! {
                outcome = results.next() => match outcome {
                    None => break,
                    Some(outcome) => {
                        let line = lines.get(outcome.index).copied().unwrap_or_default();
                        record(&mut journal, &mut tally, line, outcome)?;
                        progress.update(&tally);
                    }
                },
                _ = ctrl_c.next() => {
                    interrupts += 1;
                    if interrupts > 1 {
                        progress.note("interrupted again: exiting now (the journal holds every result reported)");
                        std::process::exit(i32::from(FailureKind::Interrupted.code()));
                    }
                    stopper.stop();
                    progress.note("interrupted: finishing the calls in flight (Ctrl-C again to exit at once)");
                }
                _ = tick.tick(), if progress.is_plain() => progress.line(&tally),
            }
        }
        progress.finish(&tally);
        let not_started = to_send - tally.succeeded - tally.failed;
        finish(
            &job,
            &journal_path,
            &failures_path,
            &plan.left_out,
            &tally,
            not_started,
            stopper.is_stopped() && not_started > 0,
            connection,
        )
    })
}

/// The counts of the rows left out before sending.
#[derive(Debug, Default)]
struct LeftOut {
    invalid: usize,
    duplicates: usize,
    already_done: usize,
}

/// The journal line of one outcome, appended and synced; failures kept for the failures file.
/// Ctrl-C presses, none lost: on Unix one `SIGINT` listener registered before the job starts and
/// kept for its whole run, so a second press right after the first is counted (a fresh
/// `tokio::signal::ctrl_c()` per press registers only when first polled, and a press before that
/// is missed). Elsewhere, `ctrl_c()` per press.
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn listen() -> Interrupts {
        Interrupts {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        }
    }

    /// The next press (never, if no listener could be registered).
    async fn next(&mut self) {
        #[cfg(unix)]
        match self.signal.as_mut() {
            Some(signal) => {
                if signal.recv().await.is_none() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

fn record<T: BulkRow>(
    journal: &mut Journal,
    tally: &mut Tally,
    line: u64,
    outcome: BulkOutcome<T>,
) -> Result<(), Failure> {
    let mut entry = Map::new();
    let status = if outcome.result.is_ok() {
        "done"
    } else {
        "failed"
    };
    entry.insert("status".into(), status.into());
    entry.insert("line".into(), line.into());
    entry.insert("out_request_no".into(), outcome.out_request_no.into());
    entry.extend(outcome.item.fields());
    if let Err(error) = &outcome.result {
        let failure = call_failure(error);
        entry.insert("error".into(), one_line(failure.message()).into());
    }
    let entry = Value::Object(entry);
    journal.append(&entry)?;
    match outcome.result {
        Ok(_) => tally.succeeded += 1,
        Err(_) => {
            tally.failed += 1;
            tally.failures.push(entry);
        }
    }
    Ok(())
}

/// A multi-line failure text on one line.
fn one_line(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The rows to send: each checked as the SDK would build its request (a bad one is reported with
/// its line and left out), a second row of the same item left out, and rows the journal shows
/// done skipped.
fn plan<T: BulkRow>(
    rows: Vec<Result<Row, bulk_input::BadRow>>,
    job: &BulkJob,
    done: &std::collections::HashSet<String>,
    defaults: &Defaults<'_>,
) -> Plan<T> {
    let mut plan = Plan {
        rows: Vec::new(),
        left_out: LeftOut::default(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in rows {
        let checked = row
            .map_err(|bad| (bad.line, bad.reason))
            .and_then(|mut row| {
                for (column, value) in defaults {
                    row.fill(column, value.unwrap_or_default());
                }
                let item = T::from_row(&row).map_err(|e| (row.line, e))?;
                let number = job.out_request_no(&item);
                OutRequestNo::new(number.as_str())
                    .and_then(|n| item.request(&n))
                    .map_err(|e| (row.line, e.to_string()))?;
                Ok((row.line, item, number))
            });
        match checked {
            Err((line, reason)) => {
                plan.left_out.invalid += 1;
                output::note(&format!(
                    "line {line}: invalid row, skipped: {}",
                    output::untrusted(&reason, 300)
                ));
            }
            Ok((line, item, number)) => {
                if let Some(first) = seen.get(&number) {
                    plan.left_out.duplicates += 1;
                    output::note(&format!(
                        "line {line}: the same item as line {first}, skipped"
                    ));
                } else if done.contains(&number) {
                    seen.insert(number, line);
                    plan.left_out.already_done += 1;
                } else {
                    seen.insert(number, line);
                    plan.rows.push((line, item));
                }
            }
        }
    }
    plan
}

/// Writes the failures file, prints the summary and says what to do next; the job's exit code.
#[allow(clippy::too_many_arguments)]
fn finish(
    job: &BulkJob,
    journal: &Path,
    failures: &Path,
    left_out: &LeftOut,
    tally: &Tally,
    not_started: usize,
    interrupted: bool,
    connection: &ConnectionArgs,
) -> Result<(), Failure> {
    let failures_file = if tally.failures.is_empty() {
        Value::Null
    } else {
        let text: String = tally
            .failures
            .iter()
            .map(|entry| format!("{entry}\n"))
            .collect();
        std::fs::write(failures, text).map_err(|e| {
            Failure::usage(format!(
                "cannot write the failures file {}: {e}",
                failures.display()
            ))
        })?;
        failures.display().to_string().into()
    };
    let summary = json!({
        "job_id": job.id().as_str(),
        "journal": journal.display().to_string(),
        "already_done": left_out.already_done,
        "sent": tally.succeeded + tally.failed,
        "succeeded": tally.succeeded,
        "failed": tally.failed,
        "invalid_rows": left_out.invalid,
        "duplicate_rows": left_out.duplicates,
        "not_started": not_started,
        "interrupted": interrupted,
        "failures_file": failures_file,
    });
    output::stock(&summary, connection.output)?;
    let again = format!("--job-id {} --resume", job.id());
    if tally.failed > 0 {
        output::note(&format!(
            "{} row(s) failed (see {}); send them again with the same request numbers: \
             --from-file {} {again}",
            tally.failed,
            failures.display(),
            failures.display()
        ));
    }
    if interrupted {
        output::note(&format!(
            "{not_started} row(s) not started; continue with the same --from-file and {again}"
        ));
        return Err(Failure::new(FailureKind::Interrupted, "interrupted"));
    }
    if tally.failed > 0 || left_out.invalid > 0 {
        return Err(Failure::new(
            FailureKind::Other,
            format!(
                "not every row was done: {} failed, {} invalid",
                tally.failed, left_out.invalid
            ),
        ));
    }
    Ok(())
}

/// The job id given, the one of the journal being resumed, or a fresh one (printed).
fn job_id(args: &BulkArgs) -> Result<JobId, Failure> {
    let invalid =
        |e: wxbrand_core::ValidationError| Failure::usage(format!("invalid --job-id: {e}"));
    match (&args.job_id, args.resume, &args.journal) {
        (Some(id), _, _) => JobId::new(id.as_str()).map_err(invalid),
        (None, true, Some(journal)) => super::bulk_journal::job_id_of(journal),
        (None, true, None) => Err(Failure::usage(
            "--resume needs the job: give --job-id (or --journal)",
        )),
        (None, false, _) => {
            let id = JobId::new(fresh_out_request_no(
                clock::now_unix_seconds(),
                &generate_nonce(),
            ))
            .map_err(invalid)?;
            output::note(&format!(
                "job id: {id} (to resume this job: --job-id {id} --resume)"
            ));
            Ok(id)
        }
    }
}

/// `wxbrand-job-<JOB_ID>.<what>.jsonl` in the current directory.
fn default_path(job_id: &JobId, what: &str) -> PathBuf {
    PathBuf::from(format!("wxbrand-job-{job_id}.{what}.jsonl"))
}

/// The client settings with this job's `--rate-limit`, if given.
fn with_rate(
    builder: ClientBuilder,
    rate: Option<JobRate>,
    operation: &'static str,
) -> ClientBuilder {
    match rate {
        None => builder,
        Some(JobRate::Unlimited) => builder.without_rate_limit(operation),
        Some(JobRate::PerSecond(n)) => builder.rate_limit(operation, RateLimit::per_second(n)),
    }
}

/// Progress on stderr: a bar on a terminal (done, failed, rate, ETA), plain lines otherwise;
/// either way a last plain line when the job ends.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    clock: SystemClock,
    total: usize,
}

impl Progress {
    fn start(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total as u64),
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{wide_bar} {pos}/{len} ({msg}) {rate} ETA {eta}",
            ) {
                bar.set_style(style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                        let _ = write!(out, "{:.1}/s", state.per_sec());
                    },
                ));
            }
            bar.set_message("0 done, 0 failed");
            bar
        });
        Progress {
            bar,
            clock: SystemClock::new(),
            total,
        }
    }

    fn is_plain(&self) -> bool {
        self.bar.is_none()
    }

    fn note(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| output::note(text)),
            None => output::note(text),
        }
    }

    fn update(&self, tally: &Tally) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} done, {} failed", tally.succeeded, tally.failed));
            bar.set_position((tally.succeeded + tally.failed) as u64);
        }
    }

    /// One plain line: `progress: 120/500 (118 done, 2 failed), 41.3/s, ETA 9s`.
    fn line(&self, tally: &Tally) {
        let finished = tally.succeeded + tally.failed;
        let seconds = self.clock.monotonic().as_secs_f64();
        let rate = if seconds > 0.0 {
            finished as f64 / seconds
        } else {
            0.0
        };
        let eta = if rate > 0.0 {
            format!("{:.0}s", (self.total - finished) as f64 / rate)
        } else {
            "-".into()
        };
        output::note(&format!(
            "progress: {finished}/{} ({} done, {} failed), {rate:.1}/s, ETA {eta}",
            self.total, tally.succeeded, tally.failed
        ));
    }

    fn finish(&self, tally: &Tally) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.line(tally);
    }
}
