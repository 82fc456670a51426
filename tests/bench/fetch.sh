#!/bin/bash
# Benchmark: gpu-setup's fetch engine (fetch_all, through the small driver
# tests/bench/fetch-files) against `curl -sS -o FILE URL` run one file
# after another, the way a tutorial fetches a list, both from
# tests/http-server.py on loopback and into the same directory:
#
#   (a) parallel: FETCH_BENCH_FILES files of FETCH_BENCH_MB MiB (default
#       8 x 32) through /slow/RATE/ (a per-connection rate cap, as real
#       mirrors have; FETCH_BENCH_RATE MiB/s, default 32), fetch with
#       parallel 4 versus curl on each in turn; target ratio < 1;
#   (b) single file: one FETCH_BENCH_BIG_MB MiB file (default 512)
#       unthrottled, fetch versus curl; target ratio <= 1.10.
#
# fetch hashes every byte and fsyncs each file before its rename into the
# cache; plain curl leaves the file in the page cache.  Where the disk is
# slower than loopback, that fsync is most of the difference, so each
# comparison is also made with curl followed by `sync FILE` (ratio_fs).
#
# The files are random, made once and cached in
# ${GS_TEST_CACHE:-~/.cache/gpu-setup-tests}.  RUNS repetitions each
# (default 5), alternating which goes first; each command writes into an
# empty directory with no dirty pages about, and its files are checked,
# removed and flushed before the next starts.  Prints the times and the
# ratio fetch/curl of the best runs.  Not a test: it never fails on a ratio.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
FETCH=${FETCH_FILES:-$top_builddir/tests/bench/fetch-files}
RUNS=${RUNS:-5}
NFILES=${FETCH_BENCH_FILES:-8}
FILE_MB=${FETCH_BENCH_MB:-32}
RATE_MB=${FETCH_BENCH_RATE:-32}
BIG_MB=${FETCH_BENCH_BIG_MB:-512}
CACHE=${GS_TEST_CACHE:-$HOME/.cache/gpu-setup-tests}
SRC=$CACHE/fetch-bench
WORK=$top_builddir/tests/tmp/fetch-bench

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

for tool in python3 curl sha256sum; do
	command -v $tool >/dev/null 2>&1 || { echo "fetch.sh: $tool is missing; skipping the fetch benchmark" >&2; exit 0; }
done
[ -x "$FETCH" ] || { echo "fetch.sh: $FETCH is missing (make tests/bench/fetch-files)" >&2; exit 1; }

# make_file NAME MiB: random bytes, made once, with their digest beside them.
make_file() {
	local f=$SRC/$1
	if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" -ne $(($2 * 1048576)) ] || [ ! -f "$f.sha256" ]; then
		head -c $(($2 * 1048576)) /dev/urandom >"$f.tmp"
		sha256sum "$f.tmp" | cut -d' ' -f1 >"$f.sha256"
		mv "$f.tmp" "$f"
	fi
}
mkdir -p "$SRC"
for ((i = 0; i < NFILES; i++)); do make_file "part$i-${FILE_MB}m" "$FILE_MB"; done
make_file "big-${BIG_MB}m" "$BIG_MB"

rm -rf "$WORK"
mkdir -p "$WORK"
coproc SERVER { exec python3 "$top_srcdir/tests/http-server.py" "$SRC" "$WORK/requests.log"; }
SERVER_PID=$SERVER_PID
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
read -r PORT <&"${SERVER[0]}"
BASE=http://127.0.0.1:$PORT

timed() {  # timed CMD...: wall microseconds
	local start end
	sync
	start=$(now_us)
	"$@"
	end=$(now_us)
	echo $((end - start))
}

with_curl() {  # with_curl DIR URL...: one after another
	local dir=$1 u
	shift
	for u in "$@"; do curl -sS -o "$dir/${u##*/}" "$u"; done
}

# The same, each file then flushed to disk (sync FILE is fsync): what fetch
# does before it renames a file into place, so that a crash never leaves a
# cache entry that is not the checked bytes.
with_curl_fsync() {
	local dir=$1 u
	shift
	for u in "$@"; do curl -sS -o "$dir/${u##*/}" "$u" && sync "$dir/${u##*/}"; done
}

with_fetch() {  # with_fetch DIR: fetch_all on $FETCH_ARGS
	"$FETCH" --parallel "$PARALLEL" "$1" "${FETCH_ARGS[@]}"
}

# measure TOOL: one timed run of with_TOOL into an empty directory; checks
# every file against its source, then removes them and flushes, so that the
# next command does not start behind this one's writeback (left in place,
# the third command of a round ran up to four times slower than the first,
# whichever tool it was).
measure() {
	local dir=$WORK/$1 t n
	mkdir -p "$dir"
	if [ "$1" = fetch ]; then t=$(timed with_fetch "$dir"); else t=$(timed "with_$1" "$dir" "${URLS[@]}"); fi
	for n in "${NAMES[@]}"; do
		cmp -s "$SRC/$n" "$dir/$n" || { echo "fetch.sh: $n differs after $1" >&2; exit 1; }
	done
	rm -rf "$dir"
	sync
	echo "$t"
}

# compare TITLE TARGET PARALLEL NAME...: RUNS rounds of fetch vs curl (and
# curl + fsync) on the URLs $PREFIX/NAME, alternating which goes first;
# prints each run and the ratios of the best runs.
compare() {
	local title=$1 target=$2 best_f=0 best_c=0 best_s=0 f c s i n
	PARALLEL=$3
	shift 3
	NAMES=("$@") URLS=() FETCH_ARGS=()
	for n in "$@"; do
		URLS+=("$BASE/$PREFIX/$n")
		FETCH_ARGS+=("$BASE/$PREFIX/$n" "$(cat "$SRC/$n.sha256")" "$(stat -c %s "$SRC/$n")")
	done
	echo "$title"
	printf '%-4s %10s %12s %10s %8s %8s\n' run curl_s curl+fsync_s fetch_s ratio ratio_fs
	for ((i = 1; i <= RUNS; i++)); do
		if ((i % 2)); then
			c=$(measure curl)
			s=$(measure curl_fsync)
			f=$(measure fetch)
		else
			f=$(measure fetch)
			s=$(measure curl_fsync)
			c=$(measure curl)
		fi
		((best_f == 0 || f < best_f)) && best_f=$f
		((best_c == 0 || c < best_c)) && best_c=$c
		((best_s == 0 || s < best_s)) && best_s=$s
		awk -v i="$i" -v c="$c" -v s="$s" -v f="$f" \
			'BEGIN { printf "%-4d %10.2f %12.2f %10.2f %8.3f %8.3f\n", i, c / 1e6, s / 1e6, f / 1e6, f / c, f / s }'
	done
	awk -v c="$best_c" -v s="$best_s" -v f="$best_f" -v t="$target" 'BEGIN {
		printf "ratio fetch/curl: %.3f of the best runs (target %s)\n", f / c, t
		printf "ratio fetch/(curl + fsync): %.3f of the best runs (the same durability)\n", f / s
	}'
}

names=()
for ((i = 0; i < NFILES; i++)); do names+=("part$i-${FILE_MB}m"); done
cat "$SRC"/* >/dev/null  # into the page cache for both

PREFIX=slow/$((RATE_MB * 1048576))
compare "fetch, parallel: $NFILES x $FILE_MB MiB at $RATE_MB MiB/s per connection; fetch --parallel 4 vs curl one after another; $RUNS runs" \
	"< 1" 4 "${names[@]}"
PREFIX=ok
compare "fetch, single file: $BIG_MB MiB unthrottled; fetch vs curl; $RUNS runs" "<= 1.10" 1 "big-${BIG_MB}m"
