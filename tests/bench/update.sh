#!/bin/bash
# Benchmark: `gpu-setup update --dry-run` against NVIDIA's real cuDNN
# manifests and md5sum.txt (tests/fixtures/upstream), listings, PyTorch
# index pages and releases.json in their documented shapes, all served on
# loopback, from tables that lack the newest releases (so every source has
# rows to add and every manifest is read).  Measures its CPU time and peak
# memory (targets: under 2 s of CPU for all sources, under 32 MB RSS) and,
# in the same run, what a user would do instead: fetch the same documents
# with curl and read the manifests with python3's json module.
# Prints the figures and the ratio; not a test: it never fails on them.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GPU_SETUP=${GPU_SETUP:-$PWD/gpu-setup}
case $GPU_SETUP in /*) ;; *) GPU_SETUP=$PWD/$GPU_SETUP ;; esac
RUNS=${RUNS:-10}
export top_srcdir GPU_SETUP

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

if ! command -v python3 >/dev/null || ! command -v curl >/dev/null || [ ! -x /usr/bin/time ]; then
	echo "update: python3, curl and /usr/bin/time are needed; skipped"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-setup-bench.XXXXXX")
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
U=$top_srcdir/tests/fixtures/upstream
W=$work/www C=$work/compat

listing() {
	local dir=$1
	shift
	mkdir -p "$dir"
	{
		printf '<html><body><pre>\n'
		for v; do printf "<a href='redistrib_%s.json'>redistrib_%s.json</a>\n" "$v" "$v"; done
		printf '</pre></body></html>\n'
	} >"$dir/index.html"
}
listing "$W/compute/cudnn/redist" 9.13.0 9.20.0 9.22.0 9.27.0
cp "$U"/cudnn/redistrib_9.*.json "$W/compute/cudnn/redist/"
listing "$W/compute/cuda/redist" 13.3.1 13.4.2
mkdir -p "$W/compute/cuda/13.4.2/docs/sidebar"
cp "$U/cuda/md5sum_13.4.2.txt" "$W/compute/cuda/13.4.2/docs/sidebar/md5sum.txt"
for v in cu126 cu129 cu130 cu132; do
	mkdir -p "$W/whl/$v/torch"
	{
		printf '<!DOCTYPE html>\n<html>\n  <body>\n    <h1>Links for torch</h1>\n'
		for r in 2.12.0 2.13.0 2.14.0; do
			for py in 310 311 312 313 314 315; do
				f="torch-$r+$v-cp$py-cp$py-manylinux_2_28_x86_64.whl"
				printf '    <a href="https://download-r2.pytorch.org/whl/%s/%s#sha256=%064d">%s</a><br/>\n' "$v" "$f" 7 "$f"
			done
		done
		printf '  </body>\n</html>\n'
	} >"$W/whl/$v/torch/index.html"
done
printf '{"580": {"type": "long term support branch", "driver_info": [{"release_version": "580.159.03"}]},\n "615": {"type": "new feature branch", "driver_info": [{"release_version": "615.71.09"}]}}\n' \
	>"$W/releases.json"
mkdir -p "$C"
cp "$top_srcdir"/compat/*.tsv "$C/"
awk -F'\t' '!/^9\.(2[0-9])\./' "$top_srcdir/compat/cudnn.tsv" >"$C/cudnn.tsv"
awk -F'\t' '$1 !~ /^13\.4\./' "$top_srcdir/compat/cuda.tsv" >"$C/cuda.tsv"
awk -F'\t' '$1 != "2.14"' "$top_srcdir/compat/pytorch.tsv" >"$C/pytorch.tsv"

mkfifo "$work/port"
python3 "$top_srcdir/tests/http-server.py" "$W" "$work/http.log" >"$work/port" &
server=$!
read -r port <"$work/port"
base=http://127.0.0.1:$port/ok
export GPU_SETUP_CUDNN_REDIST_URL=$base/compute/cudnn/redist/ GPU_SETUP_CUDA_REDIST_URL=$base/compute/cuda/redist/ \
	GPU_SETUP_CUDA_URL=$base/compute/cuda/ GPU_SETUP_PYTORCH_INDEX_URL=$base/whl/ \
	GPU_SETUP_DRIVER_RELEASES_URL=$base/releases.json GPU_SETUP_COMPAT_OVERLAY=$work/overlay

update() { "$GPU_SETUP" --compat-dir "$C" update --dry-run; }
urls=("$base/compute/cudnn/redist/" "$base/compute/cuda/redist/" "$base/compute/cuda/13.4.2/docs/sidebar/md5sum.txt"
	"$base/releases.json")
for v in 9.20.0 9.22.0 9.27.0; do urls+=("$base/compute/cudnn/redist/redistrib_$v.json"); done
for v in cu126 cu129 cu130 cu132; do urls+=("$base/whl/$v/torch/"); done
by_hand() {
	curl -s "${urls[@]}" >/dev/null
	for v in 9.20.0 9.22.0 9.27.0; do curl -s "$base/compute/cudnn/redist/redistrib_$v.json"; done |
		python3 -c 'import json, sys; [json.loads(l) for l in [sys.stdin.read()] if l]' 2>/dev/null || true
}
update >"$work/out" || { echo "update: gpu-setup update failed:"; cat "$work/out"; exit 1; }
rows=$(grep -c '^         ' "$work/out" || true)

# CPU and peak memory of each update run, from GNU time.
cpu_total=0 rss_max=0
for ((i = 0; i < RUNS; i++)); do
	/usr/bin/time -f '%U %S %M' -o "$work/time" "$GPU_SETUP" --compat-dir "$C" update --dry-run >/dev/null
	read -r u s m <"$work/time"
	cpu_total=$(awk -v a="$cpu_total" -v u="$u" -v s="$s" 'BEGIN { print a + u + s }')
	[ "$m" -gt "$rss_max" ] && rss_max=$m
done
cpu=$(awk -v t="$cpu_total" -v n="$RUNS" 'BEGIN { printf "%.3f", t / n }')
u_us=$(mean_us "$RUNS" update)
h_us=$(mean_us "$RUNS" by_hand)
printf '%-52s %12s\n' command mean_us
printf '%-52s %12d\n' "gpu-setup update --dry-run (${#urls[@]} documents, $rows rows)" "$u_us" \
	"curl the same documents + python3 json.load" "$h_us"
echo "update: CPU ${cpu} s a run (target < 2 s), peak RSS $((rss_max / 1024)) MB (target < 32 MB)"
echo "ratio update/curl+python: $(awk -v a="$u_us" -v b="$h_us" 'BEGIN { printf "%.3f", a / b }')"
