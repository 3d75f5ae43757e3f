#!/usr/bin/env bash
# One-shot start-up cost: one `wxbrand sign` process beside one `openssl dgst -sha256 -sign`
# process with the same test key, run alternately (interleaved, so both see the same machine
# load), and the medians of each and their ratio. The goal (issue 10): ratio <= 1.5.
#
#   bash benches/startup.sh            # 50 runs of each
#   RUNS=200 bash benches/startup.sh
#   WXBRAND=/path/to/wxbrand bash benches/startup.sh   # measure a binary built elsewhere
#
# Without WXBRAND, the binary is built the README's way, `cargo install --path crates/wxbrand-cli`,
# from the repository root (so `.cargo/config.toml`'s [env] applies), into a scratch root.
# It tells whether the binary's aws-lc was built with CPU-jitter entropy (its `jent_*` symbols).
# Needs bash 5 (EPOCHREALTIME), openssl and awk; no hyperfine.
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${RUNS:-50}"
key=testdata/vectors/keys/brand_private_key.pem

if [[ -z "${WXBRAND:-}" ]]; then
    root="${INSTALL_ROOT:-${TMPDIR:-/tmp}/wxbrand-startup-bench}"
    echo "building: cargo install --path crates/wxbrand-cli --root $root" >&2
    cargo install --quiet --locked --path crates/wxbrand-cli --root "$root" --force
    WXBRAND="$root/bin/wxbrand"
fi

# jitterentropy's functions (`jent_*`) are linked only when aws-lc was built with it.
if grep -aq jent_entropy_init "$WXBRAND"; then
    echo "aws-lc in $WXBRAND: CPU-jitter entropy ON (built without AWS_LC_SYS_NO_JITTER_ENTROPY=1)" >&2
elif grep -aq opt_out_cpu_jitter_initialize "$WXBRAND"; then
    echo "aws-lc in $WXBRAND: CPU-jitter entropy off (AWS_LC_SYS_NO_JITTER_ENTROPY=1)" >&2
else
    echo "aws-lc in $WXBRAND: cannot tell whether CPU-jitter entropy is built in (stripped binary)" >&2
fi

message="$(mktemp)"
trap 'rm -f "$message"' EXIT
# What `wxbrand sign` signs for this request (its timestamp and nonce differ; the size does not).
printf 'GET\n/brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789\n1735660801\nabcdefghijklmnopqrstuvwxyz012345\n\n' >"$message"

wxbrand_sign() {
    "$WXBRAND" sign --brand-id 120344 --serial-no 1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C \
        --private-key "$key" --method GET \
        --url /brand/marketing/product-coupon/product-coupons/200000001/stocks/123456789 >/dev/null
}
openssl_sign() {
    openssl dgst -sha256 -sign "$key" -out /dev/null "$message"
}

# Microseconds between two EPOCHREALTIME readings (no process is started to read the clock).
micros() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000000 }'; }

# Warm-up: page cache, dynamic loader.
for _ in 1 2 3 4 5; do wxbrand_sign; openssl_sign; done

ours=()
theirs=()
for ((i = 0; i < runs; i++)); do
    start=$EPOCHREALTIME; wxbrand_sign; end=$EPOCHREALTIME
    ours+=("$start $end")
    start=$EPOCHREALTIME; openssl_sign; end=$EPOCHREALTIME
    theirs+=("$start $end")
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ours_median=$(for t in "${ours[@]}"; do micros $t; done | median)
theirs_median=$(for t in "${theirs[@]}"; do micros $t; done | median)

awk -v o="$ours_median" -v t="$theirs_median" -v n="$runs" 'BEGIN {
    printf "runs (each, interleaved): %d\n", n
    printf "wxbrand sign          median: %.1f ms\n", o / 1000
    printf "openssl dgst -sign    median: %.1f ms\n", t / 1000
    printf "ratio wxbrand/openssl:        %.2f (goal <= 1.5)\n", o / t
}'
