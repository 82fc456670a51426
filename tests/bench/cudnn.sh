#!/bin/bash
# Benchmark: placing a cuDNN archive with gpu-setup against NVIDIA's
# installation guide done by hand, on the same machine in the same run:
#
#   tar -xf cudnn-linux-x86_64-*-archive.tar.xz
#   cp cudnn-*-archive/include/cudnn*.h $CUDA/include
#   cp -P cudnn-*-archive/lib/libcudnn* $CUDA/lib64
#   chmod a+r $CUDA/include/cudnn*.h $CUDA/lib64/libcudnn*
#
# versus `gpu-setup --root TREE --yes install cudnn --cudnn-archive FILE
# --cuda 12.8` when this gpu-setup has that command, else
# tests/bench/cudnn-place (cudnn_place alone, the same code).  The archive
# is cuDNN-shaped, ~500 MiB unpacked (CUDNN_BENCH_MB), made once by
# tests/fixtures/gen-cudnn-archive and cached in
# ${GS_TEST_CACHE:-~/.cache/gpu-setup-tests} under the generator's digest.
# RUNS repetitions each (default 3), alternating which goes first, each
# into a fresh toolkit on the same filesystem, the archive in the page
# cache; each command's tree is checked, removed and flushed before the
# next command starts.  Prints the times, the
# ratio gpu-setup/tutorial (target <= 1.05) and gpu-setup's peak RSS
# (target < 64 MB, with GNU time).  Not a test: it never fails on a ratio.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
GPU_SETUP=${GPU_SETUP:-$top_builddir/gpu-setup}
PLACE=${CUDNN_PLACE:-$top_builddir/tests/bench/cudnn-place}
RUNS=${RUNS:-3}
SIZE_MB=${CUDNN_BENCH_MB:-500}
CACHE=${GS_TEST_CACHE:-$HOME/.cache/gpu-setup-tests}
GEN=$top_srcdir/tests/fixtures/gen-cudnn-archive
WORK=$top_builddir/tests/tmp/cudnn-bench
NAME=cudnn-linux-x86_64-9.8.0.87_cuda12-archive
TK=/usr/local/cuda-12.8

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

for tool in python3 cc xz; do
	command -v $tool >/dev/null 2>&1 || { echo "cudnn.sh: $tool is missing; skipping the cuDNN benchmark" >&2; exit 0; }
done

# The generator's version and digest: a changed generator makes a new archive.
key=g$(python3 "$GEN" --generator-version)-$(sha256sum "$GEN" | cut -c1-12)
archive=$CACHE/cudnn-bench-$key-${SIZE_MB}mb/$NAME.tar.xz
if [ ! -f "$archive" ]; then
	echo "generating a ${SIZE_MB} MiB cuDNN-shaped archive once (about a minute per 100 MiB on a slow machine)..."
	mkdir -p "$(dirname "$archive")"
	python3 "$GEN" --version 9.8.0.87 --cuda 12 --layout txz --pad-mb "$SIZE_MB" --out "$archive.part"
	mv "$archive.part" "$archive"
fi

TIME=
[ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null && TIME=/usr/bin/time

# A target tree as gpu-setup sees one: Ubuntu 24.04 with the CUDA 12.8
# toolkit the runfile stand-in lays out (made once, copied per run); the
# GPU comes from a fixture dump, so the command's detection and version
# choice are part of what is timed, as they are for a user.
SEED=$WORK/seed
make_seed() {
	rm -rf "$SEED"
	mkdir -p "$SEED/etc" "$SEED/tmp" "$SEED/run"
	printf '%s\n' 'NAME="Ubuntu"' 'VERSION_ID="24.04"' 'VERSION_CODENAME=noble' 'ID=ubuntu' >"$SEED/etc/os-release"
	sh "$top_srcdir/tests/fixtures/gen-cuda-runfile" --version 12.8.1 --tree-only "$SEED$TK" >/dev/null
}
fresh_toolkit() {  # fresh_toolkit TREE
	rm -rf "$1"
	cp -a "$SEED" "$1"
}

tutorial() {  # tutorial TREE
	(cd "$1/tmp" && tar -xf "$archive" &&
		cp "$NAME"/include/cudnn*.h "$1$TK/include" &&
		cp -P "$NAME"/lib/libcudnn* "$1$TK/lib64" &&
		chmod a+r "$1$TK"/include/cudnn*.h "$1$TK"/lib64/libcudnn*)
}

MODE=helper
gpu_setup() {  # gpu_setup TREE RSSFILE
	local t=()
	[ -n "$TIME" ] && t=("$TIME" -f %M -o "$2")
	if [ $MODE = command ]; then
		"${t[@]}" "$GPU_SETUP" "${GS_ARGS[@]}" --root "$1" --yes install cudnn --cudnn-archive "$archive" \
			--cuda 12.8 >/dev/null 2>&1
	else
		"${t[@]}" "$PLACE" --root "$1" --toolkit $TK --cuda 12 --archive "$archive" >/dev/null
	fi
}

# Use the real command when this gpu-setup has it and it places the files.
# Its compat data carries the generated archive's sha256 in place of
# NVIDIA's, so the checksum is checked as it would be for the real file.
mkdir -p "$WORK"
rm -rf "$WORK/compat"
cp -r "$top_srcdir/compat" "$WORK/compat"
sum=$(sha256sum "$archive" | cut -d' ' -f1)
awk -F'\t' -v OFS='\t' -v f="$NAME.tar.xz" -v s="$sum" '$3 == f { $6 = s } { print }' \
	"$top_srcdir/compat/cudnn.tsv" >"$WORK/compat/cudnn.tsv"
GS_ARGS=(--pci-dump "$top_srcdir/tests/fixtures/pci/ampere-desktop.dump" --framework none --compat-dir "$WORK/compat")
make_seed
fresh_toolkit "$WORK/probe"
if "$GPU_SETUP" "${GS_ARGS[@]}" --root "$WORK/probe" --yes install cudnn --cudnn-archive "$archive" --cuda 12.8 \
	>"$WORK/probe.out" 2>&1 && [ -f "$WORK/probe$TK/include/cudnn_version.h" ]; then
	MODE=command
elif [ ! -x "$PLACE" ]; then
	echo "cudnn.sh: neither 'gpu-setup install cudnn' nor $PLACE (make tests/bench/cudnn-place) works" >&2
	exit 1
fi
rm -rf "$WORK/probe"

timed() {  # timed CMD...: wall microseconds
	local start end
	sync
	start=$(now_us)
	"$@"
	end=$(now_us)
	echo $((end - start))
}

cat "$archive" >/dev/null  # into the page cache for both
unpacked=$(xz --robot -l "$archive" | awk '$1 == "totals" { printf "%d", $5 / 1048576 }')
echo "cuDNN placement: $NAME.tar.xz, $(($(stat -c %s "$archive") / 1048576)) MiB, ${unpacked} MiB unpacked; $RUNS runs each"
if [ $MODE = command ]; then
	echo "gpu-setup: $GPU_SETUP --root TREE --yes install cudnn --cudnn-archive FILE --cuda 12.8"
else
	echo "gpu-setup: $PLACE (cudnn_place alone: 'gpu-setup install cudnn' is not there yet)"
fi
printf '%-4s %12s %12s %8s\n' run tutorial_s gpu-setup_s ratio
sum_t=0 sum_g=0 best_t=0 best_g=0 rss=0
# measure WHO: one timed run of tutorial or gpu_setup into a fresh
# toolkit; checks that the library landed, then removes the tree and
# flushes, so that the next command does not start behind this one's
# writeback.
measure() {
	local tree=$WORK/$1 t
	fresh_toolkit "$tree"
	sync
	t=$(timed "$1" "$tree" "$WORK/rss")
	[ -f "$tree$TK/include/cudnn_version.h" ] && compgen -G "$tree$TK/lib64/libcudnn.so.*" >/dev/null ||
		{ echo "cudnn.sh: $1 did not place cuDNN" >&2; exit 1; }
	rm -rf "$tree"
	sync
	echo "$t"
}
for ((i = 1; i <= RUNS; i++)); do
	if ((i % 2)); then
		t=$(measure tutorial)
		g=$(measure gpu_setup)
	else
		g=$(measure gpu_setup)
		t=$(measure tutorial)
	fi
	[ -n "$TIME" ] && { r=$(tail -n 1 "$WORK/rss"); ((r > rss)) && rss=$r; }
	sum_t=$((sum_t + t)) sum_g=$((sum_g + g))
	((best_t == 0 || t < best_t)) && best_t=$t
	((best_g == 0 || g < best_g)) && best_g=$g
	awk -v i="$i" -v t="$t" -v g="$g" 'BEGIN { printf "%-4d %12.2f %12.2f %8.3f\n", i, t / 1e6, g / 1e6, g / t }'
done
awk -v t=$sum_t -v g=$sum_g -v bt=$best_t -v bg=$best_g -v n="$RUNS" 'BEGIN {
	printf "mean: tutorial %.2f s, gpu-setup %.2f s\n", t / n / 1e6, g / n / 1e6
	printf "ratio gpu-setup/tutorial: %.3f of the means, %.3f of the best runs (target <= 1.05)\n", g / t, bg / bt
}'
if [ -n "$TIME" ]; then
	echo "gpu-setup peak RSS: $((rss / 1024)) MiB (target < 64 MB)"
else
	echo "gpu-setup peak RSS: not measured (no GNU time in /usr/bin/time)"
fi
rm -rf "$WORK"
