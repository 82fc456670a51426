#!/bin/bash
# Benchmark: `gpu-setup detect --pci-dump F` against what a user would run
# instead on the same dumps, in the same run: `lspci -F F -nn` and Debian's
# `nvidia-detect ID` for each NVIDIA card in the dump.  Prints the mean time
# of each and the ratios; the target is detect/lspci <= 1.  Not a test: it
# never fails on a ratio.
#
# nvidia-detect lives in Debian's non-free component.  When it is not
# installed, its package is fetched with a private apt configuration (the
# system's sources stay untouched) and unpacked under the build directory.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GPU_SETUP=${GPU_SETUP:-./gpu-setup}
RUNS=${RUNS:-200}
FIXTURES=$top_srcdir/tests/fixtures/pci
CACHE=${BENCH_CACHE:-$PWD/tests/bench-cache}

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

# nvidia_ids DUMP: the 10deXXXX IDs of its NVIDIA display devices.
nvidia_ids() {
	lspci -F "$1" -mn 2>/dev/null | awk '{ gsub("\"",""); if ($2 ~ /^030[0-2]$/ && $3 == "10de") print $3 $4 }'
}

run_nvidia_detect() {
	local id
	for id in "$@"; do "$NVIDIA_DETECT" "$id"; done
}

have_nd=0
find_nvidia_detect && have_nd=1

printf '%-16s %12s %12s %14s %10s %14s\n' fixture detect_us lspci_us nvidia-detect detect/lspci detect/nv-detect
sum_d=0 sum_l=0 sum_n=0 sum_dn=0
for f in "$FIXTURES"/*.dump; do
	name=$(basename "$f" .dump)
	d=$(mean_us "$RUNS" "$GPU_SETUP" detect --pci-dump "$f" --root /nonexistent)
	l=$(mean_us "$RUNS" lspci -F "$f" -nn)
	sum_d=$((sum_d + d)); sum_l=$((sum_l + l))
	n=- rn=-
	ids=$(nvidia_ids "$f" | tr '\n' ' ')
	if [ $have_nd = 1 ] && [ -n "$ids" ]; then
		# shellcheck disable=SC2086
		n=$(mean_us $((RUNS / 10 + 1)) run_nvidia_detect $ids)
		sum_n=$((sum_n + n)); sum_dn=$((sum_dn + d))
		rn=$(awk -v a="$d" -v b="$n" 'BEGIN { printf "%.3f", a / b }')
	fi
	printf '%-16s %12d %12d %14s %10s %14s\n' "$name" "$d" "$l" "$n" \
		"$(awk -v a="$d" -v b="$l" 'BEGIN { printf "%.3f", a / b }')" "$rn"
done
echo "ratio detect/lspci (all fixtures): $(awk -v a=$sum_d -v b=$sum_l 'BEGIN { printf "%.3f", a / b }') (target <= 1.000)"
if [ $sum_n -gt 0 ]; then
	echo "ratio detect/nvidia-detect (fixtures with NVIDIA cards): $(awk -v a=$sum_dn -v b=$sum_n 'BEGIN { printf "%.3f", a / b }')"
fi
