# lib.sh - shared helpers for the sh tests: TAP output and running
# gpu-setup against fixtures.  Sourced by tests/*.test.
set -u

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
: "${GPU_SETUP:=$top_builddir/gpu-setup}"
FIXTURES=$top_srcdir/tests/fixtures
EXPECTED=$top_srcdir/tests/expected
# Names from a fixed pci.ids, not the distribution's (see gpu-setup(8)).
GPU_SETUP_PCI_IDS=$FIXTURES/pci.ids
export GPU_SETUP_PCI_IDS
# doctor's data.age counts days from this one, so expected reports do not age.
GPU_SETUP_TODAY=2026-12-07
export GPU_SETUP_TODAY
# Tables as shipped, whatever `gpu-setup update` left on this machine;
# the update tests name their own overlay.
GPU_SETUP_COMPAT_OVERLAY=
export GPU_SETUP_COMPAT_OVERLAY
# Under ASan a leak is a failure, as in CI.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export ASAN_OPTIONS

tap_n=0
tap_failed=0
ok() {  # ok CONDITION-EXIT-STATUS DESCRIPTION; returns the condition, so
	# `ok $? "..." || show-why` prints diagnostics for a failure only
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
	return "$1"
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}
skip() {  # skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}
diag() {
	sed 's/^/# /'
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# as_user CMD...: run CMD as a normal user (nobody when the tests run as
# root, as in CI).  can_be_user says whether that works here: the build tree
# must be readable by nobody.
as_user() {
	if [ "$(id -u)" -ne 0 ]; then
		"$@"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	fi
}
# can_be_user also says why not in user_skip_reason, for the skip lines:
# the program must run as that user and read its data and the fixtures,
# which a checkout under root's home (mode 0700) does not allow.
user_skip_reason=
can_be_user() {
	[ "$(id -u)" -ne 0 ] && return 0
	if ! command -v setpriv >/dev/null; then
		user_skip_reason="setpriv is not installed (Debian: apt-get install util-linux)"
		return 1
	fi
	if ! as_user "$GPU_SETUP" --version >/dev/null 2>&1; then
		user_skip_reason="nobody cannot run $GPU_SETUP"
		return 1
	fi
	if ! as_user test -r "$top_srcdir/compat/gpus.tsv" || ! as_user test -r "$FIXTURES/pci.ids"; then
		user_skip_reason="nobody cannot read the checkout ($top_srcdir): a directory above it, such as /root, is closed to other users; run the suite from a clone others can read to include these"
		return 1
	fi
}

# A scratch directory removed at exit.
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/gpu-setup-test.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

# flip_byte FILE OFFSET: replace the byte at OFFSET by its complement, so
# that it surely differs (a fixed byte written over random data is the same
# byte once in 256 runs).
flip_byte() {
	_b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "\\$(printf %03o $((255 - _b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# run ARGS...: run gpu-setup, stdout in $TMPD/out, stderr in $TMPD/err,
# exit code in $rc.
run() {
	rc=0
	"$GPU_SETUP" "$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
}

# json_normal FILE: FILE's JSON as python3 lays it out (two-space indent,
# members in their order, so a change of order still shows); fails when
# FILE is no JSON or there is no python3 (same_as then compares the bytes).
json_normal() {
	python3 -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8")), indent=2, ensure_ascii=False))' "$1" 2>/dev/null
}

# same_as FILE EXPECTED DESCRIPTION: compare, or with REGEN=1 rewrite the
# expected file (then review the diff by hand before committing).
same_as() {
	if [ "${REGEN:-0}" = 1 ]; then
		cp "$1" "$2"
	fi
	_got=$1 _want=$2
	case $2 in
	*.json)
		# JSON is compared as JSON: json-c's own layout changed in
		# 0.17 ("[ ]" became "[]"), which is no change to a reader.
		if json_normal "$1" >"$TMPD/got.json" && json_normal "$2" >"$TMPD/want.json"; then
			_got=$TMPD/got.json _want=$TMPD/want.json
		fi
		;;
	esac
	if diff -u "$_want" "$_got" >"$TMPD/diff" 2>&1; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag <"$TMPD/diff"
	fi
}

# http_server_start ROOTDIR LOGFILE: tests/http-server.py serving ROOTDIR
# on loopback (switches in its header), each request logged to LOGFILE;
# sets HTTP_PORT (and HTTP_SERVER_PID), and stops it at exit.  Returns 1
# when python3 cannot run it.
http_server_start() {
	HTTP_PORT=
	mkfifo "$TMPD/http-port.$$" || return 1
	python3 "$top_srcdir/tests/http-server.py" "$1" "$2" >"$TMPD/http-port.$$" &
	HTTP_SERVER_PID=$!
	read -r HTTP_PORT <"$TMPD/http-port.$$" || HTTP_PORT=
	rm -f "$TMPD/http-port.$$"
	trap 'http_server_stop; rm -rf "$TMPD"' EXIT
	if [ -z "$HTTP_PORT" ]; then
		http_server_stop
		return 1
	fi
	export HTTP_PORT
}
http_server_stop() {
	if [ -n "${HTTP_SERVER_PID:-}" ]; then
		kill "$HTTP_SERVER_PID" 2>/dev/null
		wait "$HTTP_SERVER_PID" 2>/dev/null
		HTTP_SERVER_PID=
	fi
	return 0
}
