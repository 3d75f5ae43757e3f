//! The journal of a bulk job: an append-only file of JSON lines, each written whole and synced to
//! disk (`fsync`) before the next item's result is counted, so that after a crash or a kill it
//! shows at least every item whose result was reported.
//!
//! Its first line names the job: `{"journal":"wxbrand bulk job","job_id":"…","operation":"…"}`;
//! then one line per finished item: `{"status":"done"|"failed","line":N,"out_request_no":"…",
//! <the item's fields>[,"error":"…"]}`. `--resume` reads it back: the request numbers of `done`
//! lines are skipped; everything else is sent again with the same numbers.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use wxbrand_client::bulk::JobId;

use crate::exit::Failure;
use crate::output;

const KIND: &str = "wxbrand bulk job";

/// An open journal, appended to.
#[derive(Debug)]
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
}

/// What a journal read back says.
#[derive(Debug, Default)]
pub(crate) struct Done {
    /// The request numbers of the items done.
    pub(crate) numbers: HashSet<String>,
}

impl Journal {
    /// Starts the journal of a new job at `path` (refused when one is there: that job is resumed
    /// with `--resume`), or with `resume` opens the one there and reads what it shows done (a
    /// missing journal is a job that finished nothing yet).
    pub(crate) fn open(
        path: &Path,
        job_id: &JobId,
        operation: &str,
        resume: bool,
    ) -> Result<(Journal, Done), Failure> {
        let cannot = |e: std::io::Error| {
            Failure::usage(format!("cannot open the journal {}: {e}", path.display()))
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(cannot)?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(cannot)?;
        let mut journal = Journal {
            file,
            path: path.to_owned(),
        };
        if text.is_empty() {
            journal.append(
                &json!({"journal": KIND, "job_id": job_id.as_str(), "operation": operation}),
            )?;
            return Ok((journal, Done::default()));
        }
        if !resume {
            return Err(Failure::usage(format!(
                "the journal {} already exists: continue its job with --resume, or give another \
                 --job-id or --journal",
                path.display()
            )));
        }
        let done = read(&text, path, Some((job_id, operation)))?.1;
        if text.last() != Some(&b'\n') {
            // A line cut by a kill: end it, so the next line starts clean.
            journal
                .file
                .seek(SeekFrom::End(0))
                .and_then(|_| journal.file.write_all(b"\n"))
                .map_err(cannot)?;
        }
        Ok((journal, done))
    }

    /// Appends one line and syncs it to disk.
    pub(crate) fn append(&mut self, value: &Value) -> Result<(), Failure> {
        let mut line = value.to_string();
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                Failure::usage(format!(
                    "cannot write the journal {}: {e}",
                    self.path.display()
                ))
            })
    }
}

/// The job id named by the journal at `path` (for `--resume --journal PATH` without `--job-id`).
pub(crate) fn job_id_of(path: &Path) -> Result<JobId, Failure> {
    let text = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read the journal {}: {e}", path.display())))?;
    Ok(read(&text, path, None)?.0)
}

/// The job id of the journal `text` (which must be the `expected` job and operation when given)
/// and what it shows done.
fn read(
    text: &[u8],
    path: &Path,
    expected: Option<(&JobId, &str)>,
) -> Result<(JobId, Done), Failure> {
    let mut lines = text.split(|&b| b == b'\n');
    let not_a_journal = || {
        Failure::usage(format!(
            "{} is not a wxbrand bulk journal (its first line must name the job)",
            path.display()
        ))
    };
    let header: Value =
        serde_json::from_slice(lines.next().unwrap_or_default()).map_err(|_| not_a_journal())?;
    if header["journal"] != KIND {
        return Err(not_a_journal());
    }
    let job_id = header["job_id"]
        .as_str()
        .and_then(|id| JobId::new(id).ok())
        .ok_or_else(not_a_journal)?;
    if let Some((expected, operation)) = expected {
        if header["operation"] != operation {
            return Err(Failure::usage(format!(
                "the journal {} is of another operation ({}), not {operation}: give another --journal or --job-id",
                path.display(),
                output::untrusted(&header["operation"].to_string(), 60)
            )));
        }
        if *expected != job_id {
            return Err(Failure::usage(format!(
                "the journal {} is of job {}, not {expected}: give --job-id {} (or another --journal)",
                path.display(),
                output::untrusted(job_id.as_str(), 40),
                output::untrusted(job_id.as_str(), 40)
            )));
        }
    }
    let mut done = Done::default();
    for line in lines {
        // A line that does not parse is one cut by a kill: its item was not counted as done.
        let Ok(entry) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if let (Some("done"), Some(number)) =
            (entry["status"].as_str(), entry["out_request_no"].as_str())
        {
            done.numbers.insert(number.to_owned());
        }
    }
    Ok((job_id, done))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!(
            "wxbrand-journal-{name}-{}.jsonl",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        path
    }

    #[test]
    fn a_journal_reads_back_what_it_shows_done_even_after_a_cut_line() {
        let path = temp("resume");
        let job = JobId::new("job-1").unwrap();
        let (mut journal, done) = Journal::open(&path, &job, "deactivate_stock", false).unwrap();
        assert!(done.numbers.is_empty());
        journal
            .append(&json!({"status": "done", "out_request_no": "job-1-aa"}))
            .unwrap();
        journal
            .append(&json!({"status": "failed", "out_request_no": "job-1-bb"}))
            .unwrap();
        drop(journal);
        // A kill in the middle of a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"status":"done","out_req"#).unwrap();
        drop(file);

        assert!(Journal::open(&path, &job, "deactivate_stock", false).is_err());
        let other = JobId::new("job-2").unwrap();
        let error = Journal::open(&path, &other, "deactivate_stock", true).unwrap_err();
        assert!(error.message().contains("of job job-1"), "{error}");
        let error = Journal::open(&path, &job, "send_coupon", true).unwrap_err();
        assert!(error.message().contains("another operation"), "{error}");
        assert_eq!(job_id_of(&path).unwrap(), job);

        let (mut journal, done) = Journal::open(&path, &job, "deactivate_stock", true).unwrap();
        assert_eq!(done.numbers, HashSet::from(["job-1-aa".to_owned()]));
        journal
            .append(&json!({"status": "done", "out_request_no": "job-1-bb"}))
            .unwrap();
        drop(journal);
        let (_, done) = Journal::open(&path, &job, "deactivate_stock", true).unwrap();
        assert_eq!(done.numbers.len(), 2);
        let _ = std::fs::remove_file(&path);
    }
}
