#!/usr/bin/env bash
# Instructions per call of each benchmarked function in benches/signing.rs and benches/pipeline.rs,
# counted with valgrind's callgrind, and the SDK/raw ratios computed from them.
#
# Wall-clock ratios on a noisy shared machine swing by ±10% from run to run; instruction counts
# repeat. An instruction is not a nanosecond (the RSA arithmetic runs more instructions per cycle
# than the SDK's parsing and copying), so read these ratios beside criterion's, not instead of them.
#
# For each function the bench binary runs twice under callgrind through its fixed-count mode
# (WXBRAND_BENCH_CALLS=<name>=<n>): with 0 calls and with N calls after the same setup; the
# difference of the two totals divided by N is the cost of one call.
#
# N must be a multiple of 32: aws-lc re-creates an RSA key's blinding values every 32 signatures
# (BN_BLINDING_COUNTER in crypto/fipsmodule/rsa/blinding.c), a few million instructions, so any
# other N counts 0 or 1 of those per window depending on where the key's counter stands.
#
# Usage, from the repository root: benches/instruction-ratios.sh [N]   (N defaults to 64)
# A developer tool; not run in CI.
set -euo pipefail

N="${1:-64}"
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]] || ((N % 32 != 0)); then
    echo "usage: $0 [N]   (N: calls per function, a positive multiple of 32; default 64)" >&2
    exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind is not installed; install it with: sudo apt-get install valgrind" >&2
    exit 1
fi
if [[ ! -f benches/signing.rs || ! -f benches/pipeline.rs ]]; then
    echo "run this from the repository root (benches/signing.rs not found)" >&2
    exit 2
fi

echo "building the benches (cargo bench --no-run) ..." >&2
executables="$(cargo bench --no-run --bench signing --bench pipeline --message-format=json |
    python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["target"]["name"], m["executable"])
')"
signing="$(awk '$1 == "signing" { print $2 }' <<<"$executables")"
pipeline="$(awk '$1 == "pipeline" { print $2 }' <<<"$executables")"
if [[ -z "$signing" || -z "$pipeline" ]]; then
    echo "could not find the signing and pipeline bench executables in cargo's output" >&2
    exit 1
fi

# Total instructions callgrind collects for one run of binary $1 calling function $2 $3 times.
collected() {
    local log total
    log="$(WXBRAND_BENCH_CALLS="$2=$3" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$1" 2>&1 >/dev/null)" || {
        echo "$log" >&2
        echo "failed: WXBRAND_BENCH_CALLS=$2=$3 valgrind --tool=callgrind $1" >&2
        return 1
    }
    total="$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' <<<"$log")"
    if [[ -z "$total" ]]; then
        echo "$log" >&2
        echo "no 'Collected' total in callgrind's output for $2" >&2
        return 1
    fi
    echo "$total"
}

declare -A per_call
functions=(
    "$signing raw_aws_lc_rs_RsaKeyPair_sign"
    "$signing wxbrand_Signer_authorization"
    "$signing rustcrypto_rsa_pkcs1v15_sign"
    "$signing raw_aws_lc_rs_parsed_once"
    "$signing raw_aws_lc_rs_UnparsedPublicKey_verify"
    "$signing wxbrand_Verifier_verify_response"
    "$pipeline raw_aws_lc_rs_sign_and_verify"
    "$pipeline raw_sign_verify_and_serde_decode"
    "$pipeline sdk_deactivate_stock"
)
for entry in "${functions[@]}"; do
    read -r binary name <<<"$entry"
    echo "callgrind: $name (0 and $N calls) ..." >&2
    base="$(collected "$binary" "$name" 0)"
    with="$(collected "$binary" "$name" "$N")"
    per_call[$name]="$(( (with - base) / N ))"
done

echo
echo "instructions per call (callgrind, N=$N):"
for entry in "${functions[@]}"; do
    read -r _ name <<<"$entry"
    printf '  %-40s %12d\n' "$name" "${per_call[$name]}"
done

# ratio <label> <numerator> <denominator>
ratio() {
    awk -v label="$1" -v a="${per_call[$2]}" -v b="${per_call[$3]}" \
        'BEGIN { printf "  %-62s %6.3f\n", label, a / b }'
}
echo
echo "ratios of instructions per call (for raw/SDK: 1.000 = the SDK adds nothing):"
ratio "sign: raw RsaKeyPair::sign / Signer::authorization" \
    raw_aws_lc_rs_RsaKeyPair_sign wxbrand_Signer_authorization
ratio "verify: raw parsed-once / Verifier::verify_response" \
    raw_aws_lc_rs_parsed_once wxbrand_Verifier_verify_response
ratio "verify cost: naive UnparsedPublicKey::verify / parsed-once" \
    raw_aws_lc_rs_UnparsedPublicKey_verify raw_aws_lc_rs_parsed_once
ratio "sign cost: RustCrypto rsa / raw aws-lc-rs" \
    rustcrypto_rsa_pkcs1v15_sign raw_aws_lc_rs_RsaKeyPair_sign
ratio "pipeline: raw sign+verify / SDK deactivate_stock" \
    raw_aws_lc_rs_sign_and_verify sdk_deactivate_stock
ratio "pipeline: raw sign+verify+serde decode / SDK deactivate_stock" \
    raw_sign_verify_and_serde_decode sdk_deactivate_stock
