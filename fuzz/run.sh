#!/usr/bin/env bash
# Runs each fuzz target for a bounded time: `fuzz/run.sh [SECONDS_PER_TARGET]` (default 60).
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP unlocks them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi
for target in token_verification form_decoding; do
    echo "=== fuzzing $target for ${seconds}s"
    cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096
done
