//! `stock list --all` against endless, empty and looping listings: the SDK pager's caps and stops (issue 10, item 5).
//! Against the hostile server (`hostile_server`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile_server;
#[path = "../../../testdata/vector_keys.rs"]
mod vector_keys;

use hostile_server::*;

fn page(stocks: &[serde_json::Value], token: Option<String>) -> Answer {
    json(
        200,
        &serde_json::json!({"stock_list": stocks, "next_page_token": token, "total_count": 999_999}),
    )
}

#[test]
fn list_all_stops_at_max_pages_against_endless_fresh_tokens() {
    let server = HostileServer::start(|n, _| page(&[stock(n, "one")], Some(format!("fresh{n}"))));
    let output = stock_list_all(&server.url())
        .args(["--max-pages", "20"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("20 pages (--max-pages)"), "{stderr}");
    assert!(stderr.contains("raise --max-pages"), "{stderr}");
    assert!(stderr.contains("--page-token fresh20"), "{stderr}");
    assert_eq!(server.requests(), 20);
    // What was fetched was printed, as one closed JSON array.
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 20);
    assert_eq!(stocks[19]["stock_id"], "100000020");
}

/// A listing of two stocks a page, each page naming a fresh next page.
fn two_stocks_a_page_without_end() -> HostileServer {
    HostileServer::start(|n, _| {
        page(
            &[stock(2 * n - 1, "a"), stock(2 * n, "b")],
            Some(format!("fresh{n}")),
        )
    })
}

#[test]
fn list_all_stops_at_max_items() {
    let server = two_stocks_a_page_without_end();
    let output = stock_list_all(&server.url())
        .args(["--max-items", "5", "--output", "table"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("5 stocks (--max-items)"), "{stderr}");
    assert_eq!(server.requests(), 3);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with("PRODUCT_COUPON_ID"), "{stdout}");
    assert!(stdout.contains("100000005"), "{stdout}");
    assert!(!stdout.contains("100000006"), "{stdout}");
    assert!(stdout.trim_end().ends_with("5 stock(s)"), "{stdout}");
}

#[test]
fn list_all_stops_on_an_empty_page_that_names_a_next_page() {
    let server = HostileServer::start(|n, _| page(&[], Some(format!("empty{n}"))));
    let output = stock_list_all(&server.url()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("held no stock yet named a next page"),
        "{stderr}"
    );
    assert_eq!(server.requests(), 1);
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(stocks.is_empty());
}

#[test]
fn list_all_prints_each_page_before_fetching_the_next() {
    // The second page is held back until the test has read the first page's stock on stdout:
    // a command that collected every page before printing would never show it.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = Mutex::new(released);
    let server = HostileServer::start(move |n, _| match n {
        1 => page(&[stock(1, "first")], Some("second".to_owned())),
        _ => {
            let waited = released
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(30));
            let remark = if waited.is_ok() {
                "released"
            } else {
                "timed out"
            };
            page(&[stock(2, remark)], None)
        }
    });
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wxbrand"))
        .args(["stock", "list", "--product-coupon-id", "200000001", "--all"])
        .args(connection(&server.url()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("100000001") {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "stdout ended: {seen}"
        );
        seen.push_str(&line);
    }
    release.send(()).unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    let all = format!("{seen}{rest}");
    let stocks: Vec<serde_json::Value> = serde_json::from_str(&all).unwrap();
    assert_eq!(stocks.len(), 2);
    assert_eq!(stocks[1]["remark"], "released", "{all}");
}

#[test]
fn list_all_at_max_items_on_a_page_boundary_stops_before_the_next_page_and_says_where_to_resume() {
    let server = two_stocks_a_page_without_end();
    let output = stock_list_all(&server.url())
        .args(["--max-items", "4"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("4 stocks (--max-items)"), "{stderr}");
    assert!(stderr.contains("--page-token fresh2"), "{stderr}");
    assert_eq!(server.requests(), 2, "the third page is not fetched");
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 4);
}

#[test]
fn list_all_stops_on_a_page_token_given_again() {
    let server = HostileServer::start(|n, _| page(&[stock(n, "loop")], Some("same".to_owned())));
    let output = stock_list_all(&server.url()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("page 2 named a next page already fetched (same)"),
        "{stderr}"
    );
    assert_eq!(server.requests(), 2);
    let stocks: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stocks.len(), 2);
}
