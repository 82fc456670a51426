#!/bin/bash
# run-fuzzer.sh FUZZER SECONDS MAX_LEN CORPUS_DIR
# Runs one libFuzzer target for SECONDS with its log in CORPUS_DIR.log and
# prints one line for it; the whole log's tail only when it fails (a crash,
# a leak, a sanitizer report), so that CI's output keeps its stage lines
# readable instead of 13 minutes of libFuzzer's progress lines.
set -u
fuzzer=$1 seconds=$2 max_len=$3 corpus=$4
log=$corpus.log
if "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" "$corpus" >"$log" 2>&1; then
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([^ ]*\).*/cov \1, features \2, corpus \3/p' "$log" | tail -n 1)
	echo "fuzz $(basename "$fuzzer"): ${runs:-?} runs in $seconds s, ${cov:-no final stats}, no crash"
else
	rc=$?
	echo "fuzz $(basename "$fuzzer"): FAILED (exit $rc); the end of $log:" >&2
	tail -n 60 "$log" >&2
	exit "$rc"
fi
