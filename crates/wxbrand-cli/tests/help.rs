//! Every subcommand's `--help` shows an example; bad usage exits 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::wxbrand;

#[test]
fn every_subcommand_help_has_an_example() {
    let subcommands: [&[&str]; 8] = [
        &[],
        &["stock"],
        &["stock", "deactivate"],
        &["stock", "get"],
        &["stock", "list"],
        &["sign"],
        &["verify"],
        &["simulate"],
    ];
    for words in subcommands {
        let output = wxbrand().args(words).arg("--help").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{words:?}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(
            help.contains("Example"),
            "{words:?} --help has no example:\n{help}"
        );
        assert!(
            help.contains("  wxbrand "),
            "{words:?} --help has no command line:\n{help}"
        );
    }
}

#[test]
fn unknown_flags_and_missing_arguments_exit_2() {
    assert_eq!(
        wxbrand()
            .args(["sign", "--bogus"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        wxbrand().arg("stock").output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        wxbrand()
            .args([
                "stock",
                "list",
                "--state",
                "NOPE",
                "--product-coupon-id",
                "1"
            ])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}
