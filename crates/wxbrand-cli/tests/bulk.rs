//! `wxbrand stock deactivate --from-file` as a process against the simulator over real sockets:
//! 500 rows with faults and a SIGKILL halfway, then `--resume`, deactivate every stock exactly
//! once; pacing under WeChat Pay's real limit; bad rows, failures fed back, usage errors; Ctrl-C;
//! `wxbrand user-coupon send --from-file`: 100 users with faults and a kill, then `--resume`, each
//! hold exactly one coupon.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{config, text, unix_now, vector, vector_settings, TempDir, SETTINGS_VARIABLES};
use serde_json::Value;
use wxbrand_core::product_coupon::{StockEntity, StockState};
use wxbrand_sign::{PrivateKey, PublicKey};
use wxbrand_simulator::{
    sample_stock, sample_stock_usable_at, Fault, Route, Simulator, SimulatorHandle,
};

const COUPON: &str = "1000000013";

fn stock_id(i: usize) -> String {
    format!("{COUPON}{i:04}")
}

/// A simulator on its own runtime with the vector brand and WeChat Pay keys, and the `wxbrand`
/// subcommand of its jobs.
struct Sim {
    handle: SimulatorHandle,
    subcommand: [&'static str; 2],
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// `count` SENDING stocks for `stock deactivate`; `rate_limit` per second (None lifts it).
    fn start(count: usize, rate_limit: Option<u32>) -> Sim {
        let stocks = (0..count)
            .map(|i| sample_stock(COUPON, &stock_id(i), StockState::Sending).unwrap())
            .collect();
        Sim::with(stocks, rate_limit, ["stock", "deactivate"])
    }

    fn with(
        stocks: Vec<StockEntity>,
        rate_limit: Option<u32>,
        subcommand: [&'static str; 2],
    ) -> Sim {
        let config = config();
        let read = |name: &str| std::fs::read(vector(text(&config, name))).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let builder = Simulator::builder()
            .brand(
                text(&config, "brand_id"),
                text(&config, "serial_no"),
                PublicKey::from_pem(&read("brand_public_key")).unwrap(),
            )
            .wechatpay_key(
                PrivateKey::from_pem(&read("wechatpay_private_key")).unwrap(),
                text(&config, "wechatpay_public_key_id"),
            )
            .rate_limit_per_second(rate_limit)
            .stocks(stocks);
        let handle = runtime.block_on(builder.start()).unwrap();
        Sim {
            handle,
            subcommand,
            _runtime: runtime,
        }
    }

    /// `wxbrand <subcommand> <args>` for this simulator, run in `dir`, not yet started.
    fn command(&self, dir: &TempDir, args: &[&str]) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("wxbrand"));
        for variable in SETTINGS_VARIABLES {
            command.env_remove(variable);
        }
        command
            .current_dir(dir.join(""))
            .envs(vector_settings(self.handle.base_url()))
            .args(self.subcommand)
            .args(args)
            .stdin(Stdio::null());
        command
    }

    /// Runs the job of `args` and kills it (SIGKILL) once `journal` holds `lines` item lines;
    /// the journal's item lines then.
    fn killed_once_journaled(
        &self,
        dir: &TempDir,
        args: &[&str],
        journal: &Path,
        lines: usize,
    ) -> Vec<Value> {
        let mut child = self
            .command(dir, args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut waited = Duration::ZERO;
        while journal_entries(journal).len() < lines {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the job ended before the kill"
            );
            assert!(
                waited < Duration::from_secs(120),
                "the journal did not grow"
            );
            std::thread::sleep(Duration::from_millis(5));
            waited += Duration::from_millis(5);
        }
        child.kill().unwrap();
        assert!(!child.wait().unwrap().success());
        journal_entries(journal)
    }

    /// Runs each of `cases` and checks that it is a usage error (exit 2).
    fn each_exits_2(&self, dir: &TempDir, cases: &[&[&str]]) {
        for args in cases {
            let output = self.run(dir, args);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }

    fn run(&self, dir: &TempDir, args: &[&str]) -> Output {
        let child = self
            .command(dir, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_output(child, Duration::from_secs(120))
    }
}

/// The output of `child`, killing it after `limit`.
fn wait_output(child: std::process::Child, limit: Duration) -> Output {
    let id = child.id();
    let (sender, receiver) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if receiver.recv_timeout(limit).is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
        }
    });
    let output = child.wait_with_output().unwrap();
    let _ = sender.send(());
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn summary_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

/// The item lines of a journal (the header left out); lines cut by a kill are skipped.
fn journal_entries(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

fn done_numbers(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e["status"] == "done")
        .map(|e| e["out_request_no"].as_str().unwrap().to_owned())
        .collect()
}

fn csv(rows: impl IntoIterator<Item = String>) -> String {
    let mut text = String::from("product_coupon_id,stock_id,reason\n");
    for row in rows {
        text.push_str(&row);
        text.push('\n');
    }
    text
}

#[test]
fn five_hundred_rows_with_faults_and_a_kill_halfway_are_each_done_once_after_resume() {
    let sim = Sim::start(500, None);
    let faults = sim.handle.faults();
    faults
        .on(Route::DeactivateStock)
        .randomly(0.034, 11, Fault::AnswerLost)
        .randomly(0.033, 12, Fault::ResetMidBody)
        .randomly(0.033, 13, Fault::Status500SystemError);
    let dir = TempDir::new("bulk500");
    // CSV rows without a reason take --reason.
    dir.write(
        "stocks.csv",
        "product_coupon_id,stock_id\n".to_owned()
            + &(0..500)
                .map(|i| format!("{COUPON},{}\n", stock_id(i)))
                .collect::<String>(),
    );
    let journal = dir.join("job.journal.jsonl");
    let args = [
        "--from-file",
        "stocks.csv",
        "--reason",
        "活动结束",
        "--job-id",
        "end-of-season-500",
        "--journal",
        "job.journal.jsonl",
        "--concurrency",
        "16",
        "--rate-limit",
        "none",
        "--retries",
        "6",
        "--progress-interval",
        "1",
    ];

    // First run: killed (SIGKILL) once the journal shows about half the rows.
    let before = sim.killed_once_journaled(&dir, &args, &journal, 250);
    let done_before: HashSet<String> = done_numbers(&before).into_iter().collect();
    assert!(
        (250..500).contains(&before.len()),
        "killed halfway: {}",
        before.len()
    );

    // Resume: the rows not shown done are sent again with the same numbers.
    let second = sim.run(&dir, &[&args[..], &["--resume"]].concat());
    let second_stderr = stderr(&second);
    assert_eq!(second.status.code(), Some(0), "{second_stderr}");
    let summary = summary_of(&second);
    let after = journal_entries(&journal);
    let added = &after[before.len()..];
    assert_eq!(summary["job_id"], "end-of-season-500");
    assert_eq!(summary["already_done"], done_before.len());
    assert_eq!(summary["succeeded"], done_numbers(added).len());
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["invalid_rows"], 0);
    assert_eq!(summary["not_started"], 0);
    assert_eq!(summary["interrupted"], false);
    assert_eq!(summary["failures_file"], Value::Null);
    assert_eq!(
        summary["already_done"].as_u64().unwrap() + summary["succeeded"].as_u64().unwrap(),
        500
    );
    assert!(second_stderr.contains("progress: "), "{second_stderr}");

    // The journal: every stock done, under one number each.
    let mut numbers_of: HashMap<String, HashSet<String>> = HashMap::new();
    for entry in after.iter().filter(|e| e["status"] == "done") {
        numbers_of
            .entry(entry["stock_id"].as_str().unwrap().to_owned())
            .or_default()
            .insert(entry["out_request_no"].as_str().unwrap().to_owned());
    }
    assert_eq!(numbers_of.len(), 500);
    assert!(numbers_of.values().all(|numbers| numbers.len() == 1));
    assert_eq!(
        done_numbers(&after).len(),
        500,
        "each row journaled done once"
    );

    // The simulator: each stock deactivated exactly once, with the journal's number.
    let stats = sim.handle.stats();
    for i in 0..500 {
        let id = stock_id(i);
        assert_eq!(stats.deactivations_of(COUPON, &id), 1, "stock {id}");
        let stock = sim.handle.stock(COUPON, &id).unwrap();
        assert_eq!(stock.state, StockState::Deactivated);
        assert!(numbers_of[&id].contains(stock.deactivate_request_no.as_deref().unwrap()));
    }
    let injected: Vec<u64> = ["answer_lost", "reset_mid_body", "status_500_system_error"]
        .iter()
        .map(|fault| stats.faults(fault))
        .collect();
    assert!(
        injected.iter().all(|&n| n > 0),
        "each fault injected: {injected:?}"
    );
    let requests = stats.requests_on(Route::DeactivateStock);
    eprintln!(
        "500 rows: killed after {} journal lines ({} done); {requests} requests, faults \
         (answer lost, reset, 500) {injected:?}",
        before.len(),
        done_before.len()
    );
}

#[test]
fn under_wechat_pays_limit_the_job_is_paced_and_never_refused() {
    // The simulator's default 20 per second, and the client's default for deactivate_stock.
    let sim = Sim::start(45, Some(20));
    let dir = TempDir::new("bulkpace");
    dir.write(
        "stocks.csv",
        csv((0..45).map(|i| format!("{COUPON},{},r", stock_id(i)))),
    );
    let output = sim.run(
        &dir,
        &[
            "--from-file",
            "stocks.csv",
            "--job-id",
            "pace",
            "--concurrency",
            "10",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary_of(&output)["succeeded"], 45);
    let stats = sim.handle.stats();
    assert_eq!(stats.answers_with_status(429), 0);
    assert!(stats.max_deactivations_in_any_second() <= 20);
    assert!(stats.max_deactivations_in_any_second() >= 10);
}

#[test]
fn bad_rows_are_reported_by_line_and_failures_can_be_fed_back() {
    let sim = Sim::start(3, None);
    let dir = TempDir::new("bulkbad");
    dir.write(
        "stocks.csv",
        csv([
            format!("{COUPON},{},r", stock_id(0)),
            format!("{COUPON},bad/id,r"),
            format!("{COUPON},{},", stock_id(1)),
            format!("{COUPON},{},\"quoted, reason\"", stock_id(2)),
            format!("{COUPON},{},again", stock_id(0)),
            format!("{COUPON},{},r", stock_id(7)),
            "only-one-field".to_owned(),
        ]),
    );
    let output = sim.run(&dir, &["--from-file", "stocks.csv", "--job-id", "bad-rows"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("line 3: invalid row"), "{err}");
    assert!(err.contains("stock_id"), "{err}");
    assert!(
        err.contains("line 4: invalid row, skipped: no reason"),
        "{err}"
    );
    assert!(err.contains("line 6: the same item as line 2"), "{err}");
    assert!(err.contains("line 8: invalid row"), "{err}");
    let summary = summary_of(&output);
    assert_eq!(summary["succeeded"], 2);
    assert_eq!(summary["failed"], 1, "the unknown stock");
    assert_eq!(summary["invalid_rows"], 3);
    assert_eq!(summary["duplicate_rows"], 1);
    let failures = dir.join("wxbrand-job-bad-rows.failures.jsonl");
    assert_eq!(
        summary["failures_file"],
        failures.file_name().unwrap().to_str().unwrap()
    );
    let failed: Vec<Value> = std::fs::read_to_string(&failures)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["stock_id"], stock_id(7));
    assert_eq!(failed[0]["line"], 7);
    assert!(
        failed[0]["error"].as_str().unwrap().contains("404"),
        "{}",
        failed[0]
    );
    assert!(err.contains("--job-id bad-rows --resume"), "{err}");

    // The stock appears; the failures file goes back in, same job: done, with the same number.
    sim.handle
        .put_stock(sample_stock(COUPON, &stock_id(7), StockState::Sending).unwrap());
    let again = sim.run(
        &dir,
        &[
            "--from-file",
            "wxbrand-job-bad-rows.failures.jsonl",
            "--job-id",
            "bad-rows",
            "--resume",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(summary_of(&again)["succeeded"], 1);
    let stock = sim.handle.stock(COUPON, &stock_id(7)).unwrap();
    assert_eq!(
        stock.deactivate_request_no.as_deref(),
        failed[0]["out_request_no"].as_str()
    );
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let sim = Sim::start(1, None);
    let dir = TempDir::new("bulkusage");
    dir.write("stocks.csv", csv([format!("{COUPON},{},r", stock_id(0))]));
    dir.write("no_header.csv", format!("{COUPON},{}\n", stock_id(0)));
    let cases: [&[&str]; 6] = [
        &["--from-file", "stocks.csv", "--resume"],
        &["--from-file", "stocks.csv", "--concurrency", "0"],
        &["--from-file", "stocks.csv", "--job-id", "has space"],
        &["--from-file", "no_header.csv", "--job-id", "j1"],
        &["--from-file", "missing.csv", "--job-id", "j2"],
        &["--from-file", "stocks.csv", "--stock-id", "1"],
    ];
    sim.each_exits_2(&dir, &cases);
    // A journal that exists is continued only with --resume.
    let first = sim.run(&dir, &["--from-file", "stocks.csv", "--job-id", "twice"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = sim.run(&dir, &["--from-file", "stocks.csv", "--job-id", "twice"]);
    assert_eq!(second.status.code(), Some(2));
    assert!(stderr(&second).contains("--resume"), "{}", stderr(&second));
    assert_eq!(sim.handle.stats().requests_on(Route::DeactivateStock), 1);
    // A generated job id is printed, and names its journal.
    let generated = sim.run(&dir, &["--from-file", "stocks.csv"]);
    let err = stderr(&generated);
    let id = err
        .lines()
        .find_map(|l| l.strip_prefix("job id: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no job id printed: {err}"));
    assert!(dir
        .join(&format!("wxbrand-job-{id}.journal.jsonl"))
        .exists());
}

#[test]
fn ctrl_c_finishes_the_calls_in_flight_and_a_resume_does_the_rest() {
    let sim = Sim::start(30, None);
    sim.handle
        .faults()
        .on(Route::DeactivateStock)
        .always(Fault::Delay(Duration::from_millis(150)));
    let dir = TempDir::new("bulkint");
    dir.write(
        "stocks.csv",
        csv((0..30).map(|i| format!("{COUPON},{},r", stock_id(i)))),
    );
    let journal = dir.join("wxbrand-job-interrupted.journal.jsonl");
    let args = [
        "--from-file",
        "stocks.csv",
        "--job-id",
        "interrupted",
        "--concurrency",
        "2",
        "--rate-limit",
        "none",
    ];
    let child = sim
        .command(&dir, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while journal_entries(&journal).len() < 4 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let output = wait_output(child, Duration::from_secs(30));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: finishing the calls in flight"),
        "{err}"
    );
    let summary = summary_of(&output);
    assert_eq!(summary["interrupted"], true);
    let entries = journal_entries(&journal);
    assert_eq!(summary["succeeded"], done_numbers(&entries).len());
    let not_started = summary["not_started"].as_u64().unwrap();
    assert!(not_started > 0 && not_started < 27, "{summary}");
    assert_eq!(
        sim.handle.stats().requests_on(Route::DeactivateStock),
        entries.len() as u64,
        "the calls in flight finished and were journaled"
    );

    let resumed = sim.run(&dir, &[&args[..], &["--resume"]].concat());
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert_eq!(summary_of(&resumed)["succeeded"], not_started);
    let stats = sim.handle.stats();
    for i in 0..30 {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1);
    }
}

#[test]
fn a_second_ctrl_c_exits_at_once_with_the_journal_whole() {
    let sim = Sim::start(20, None);
    // Answers take a second: a graceful stop would wait for them and print the summary.
    sim.handle
        .faults()
        .on(Route::DeactivateStock)
        .always(Fault::Delay(Duration::from_secs(1)));
    let dir = TempDir::new("bulkint2");
    dir.write(
        "stocks.csv",
        csv((0..20).map(|i| format!("{COUPON},{},r", stock_id(i)))),
    );
    let journal = dir.join("wxbrand-job-twice.journal.jsonl");
    let args = [
        "--from-file",
        "stocks.csv",
        "--job-id",
        "twice",
        "--concurrency",
        "2",
    ];
    let mut child = sim
        .command(&dir, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its stderr line by line, so that the second Ctrl-C comes after the first was taken (two
    // signals close together may be seen as one on a loaded machine).
    let (lines, stderr_lines) = std::sync::mpsc::channel::<String>();
    let reader = std::io::BufReader::new(child.stderr.take().unwrap());
    let reading = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in reader.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    // The first results are in: the job is running and listens for Ctrl-C.
    while journal_entries(&journal).is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let interrupt = || {
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    };
    interrupt();
    let mut err = String::new();
    while !err.contains("interrupted: finishing") {
        let line = stderr_lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the first Ctrl-C was not taken: {err}"));
        err += &line;
        err.push('\n');
    }
    interrupt();
    let output = wait_output(child, Duration::from_secs(30));
    reading.join().unwrap();
    err.extend(stderr_lines.try_iter().map(|line| line + "\n"));
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted again: exiting now"), "{err}");
    assert!(output.stdout.is_empty(), "no summary: it did not wait");
    // Every line of the journal is whole, and a resume finishes the job once per stock.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.ends_with('\n'));
    assert_eq!(text.lines().count(), journal_entries(&journal).len() + 1);
    sim.handle.faults().clear();
    let resumed = sim.run(&dir, &[&args[..], &["--resume"]].concat());
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let stats = sim.handle.stats();
    for i in 0..20 {
        assert_eq!(stats.deactivations_of(COUPON, &stock_id(i)), 1);
    }
}

const STOCK: &str = "1000000013001";
const APPID: &str = "wx1234567890abcdef";

fn openid(i: usize) -> String {
    format!("oBulkCli{i:020}")
}

/// A simulator (no rate limit) for `user-coupon send` with one SENDING stock usable now, of up to
/// 5 coupons per user: only the request numbers keep a re-run from sending a user a second.
fn coupon_sim() -> Sim {
    let mut stock = sample_stock_usable_at(COUPON, STOCK, StockState::Sending, unix_now()).unwrap();
    let rule = stock.stock_send_rule.as_mut().unwrap();
    rule.max_count = Some(10_000);
    rule.max_count_per_day = Some(10_000);
    rule.max_count_per_user = Some(5);
    Sim::with(vec![stock], None, ["user-coupon", "send"])
}

#[test]
fn a_hundred_coupon_sends_with_faults_and_a_kill_give_each_user_one_coupon_after_resume() {
    const USERS: usize = 100;
    let sim = coupon_sim();
    // Faults first (the first rule that fires wins), then every other answer 20 ms late, so
    // that the kill lands halfway.
    sim.handle
        .faults()
        .on(Route::SendUserCoupon)
        .randomly(0.034, 21, Fault::AnswerLost)
        .randomly(0.033, 22, Fault::ResetMidBody)
        .randomly(0.033, 23, Fault::Status500SystemError)
        .always(Fault::Delay(Duration::from_millis(20)));
    let dir = TempDir::new("bulksend");
    // Only the openid column: --appid, --product-coupon-id and --stock-id fill the rest; user 0
    // twice (one send).
    dir.write(
        "users.csv",
        "openid\n".to_owned()
            + &(0..USERS)
                .chain([0])
                .map(|i| format!("{}\n", openid(i)))
                .collect::<String>(),
    );
    let journal = dir.join("job.journal.jsonl");
    let args = [
        "--from-file",
        "users.csv",
        "--appid",
        APPID,
        "--product-coupon-id",
        COUPON,
        "--stock-id",
        STOCK,
        "--job-id",
        "welcome-100",
        "--journal",
        "job.journal.jsonl",
        "--concurrency",
        "4",
        "--retries",
        "6",
        "--progress-interval",
        "1",
    ];

    let before = sim.killed_once_journaled(&dir, &args, &journal, USERS / 2);
    let done_before = done_numbers(&before).len();
    assert!(
        (USERS / 2..USERS).contains(&before.len()),
        "killed halfway: {}",
        before.len()
    );

    let second = sim.run(&dir, &[&args[..], &["--resume"]].concat());
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let summary = summary_of(&second);
    let after = journal_entries(&journal);
    assert_eq!(summary["already_done"], done_before);
    assert_eq!(
        summary["succeeded"],
        done_numbers(&after[before.len()..]).len()
    );
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["duplicate_rows"], 1);
    assert_eq!(summary["not_started"], 0);
    assert_eq!(
        summary["already_done"].as_u64().unwrap() + summary["succeeded"].as_u64().unwrap(),
        USERS as u64
    );

    // The journal: each user done once, with the flags' values and one number per user.
    let done: Vec<&Value> = after.iter().filter(|e| e["status"] == "done").collect();
    assert_eq!(done.len(), USERS);
    let users: HashSet<&str> = done.iter().map(|e| e["openid"].as_str().unwrap()).collect();
    let numbers: HashSet<&str> = done
        .iter()
        .map(|e| e["out_request_no"].as_str().unwrap())
        .collect();
    assert_eq!((users.len(), numbers.len()), (USERS, USERS));
    assert!(done
        .iter()
        .all(|e| e["appid"] == APPID && e["stock_id"] == STOCK));

    // The simulator: every user holds exactly one coupon; the stock sent 100.
    for i in 0..USERS {
        assert_eq!(sim.handle.user_coupons(&openid(i)).len(), 1, "user {i}");
    }
    let sent = sim
        .handle
        .stock(COUPON, STOCK)
        .unwrap()
        .sent_count_info
        .unwrap();
    assert_eq!(sent.total_count, Some(USERS as i64));
    let stats = sim.handle.stats();
    let injected: Vec<u64> = ["answer_lost", "reset_mid_body", "status_500_system_error"]
        .iter()
        .map(|fault| stats.faults(fault))
        .collect();
    assert!(
        injected.iter().sum::<u64>() > 0,
        "faults injected: {injected:?}"
    );
    eprintln!(
        "{USERS} sends: killed after {} journal lines ({done_before} done); {} requests, faults \
         (answer lost, reset, 500) {injected:?}",
        before.len(),
        stats.requests_on(Route::SendUserCoupon)
    );
}

#[test]
fn coupon_rows_in_json_lines_carry_their_own_columns_and_bad_ones_fail_alone() {
    let sim = coupon_sim();
    let dir = TempDir::new("bulksendjson");
    let row = |user: &str, attach: &str| {
        serde_json::json!({"openid": user, "product_coupon_id": COUPON, "stock_id": STOCK,
                           "appid": APPID, "attach": attach})
        .to_string()
    };
    dir.write(
        "users.jsonl",
        [
            row(&openid(1), "a1"),
            row("o user with spaces", "bad"),
            serde_json::json!({"openid": openid(3)}).to_string(),
            row(&openid(2), "a2"),
        ]
        .join("\n"),
    );
    let output = sim.run(
        &dir,
        &["--from-file", "users.jsonl", "--job-id", "json-rows"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("line 2: invalid row"), "{err}");
    assert!(
        err.contains("line 3: invalid row") && err.contains("no product_coupon_id"),
        "{err}"
    );
    let summary = summary_of(&output);
    assert_eq!(
        (
            summary["succeeded"].as_u64(),
            summary["invalid_rows"].as_u64()
        ),
        (Some(2), Some(2))
    );
    let journal = journal_entries(&dir.join("wxbrand-job-json-rows.journal.jsonl"));
    let attaches: HashSet<&str> = journal
        .iter()
        .map(|e| e["attach"].as_str().unwrap())
        .collect();
    assert_eq!(attaches, HashSet::from(["a1", "a2"]));
    for i in [1, 2] {
        assert_eq!(sim.handle.user_coupons(&openid(i)).len(), 1);
    }
    assert_eq!(sim.handle.stats().requests_on(Route::SendUserCoupon), 2);

    // Usage errors (exit 2, nothing sent): the flags of one send, a header without a column
    // whose flag is not given.
    dir.write("openids.csv", format!("openid\n{}\n", openid(4)));
    let cases: [&[&str]; 4] = [
        &[
            "--from-file",
            "openids.csv",
            "--openid",
            "oX",
            "--appid",
            APPID,
        ],
        &["--from-file", "users.jsonl", "--coupon-code", "Code_1"],
        &[
            "--from-file",
            "users.jsonl",
            "--send-request-no",
            "send_0001",
        ],
        &[
            "--from-file",
            "openids.csv",
            "--appid",
            APPID,
            "--stock-id",
            STOCK,
        ],
    ];
    sim.each_exits_2(&dir, &cases);
    assert!(sim.handle.user_coupons(&openid(4)).is_empty());
}
