#!/bin/bash
# Benchmark: a second `sudo gpu-setup` on a finished machine, against
# `gpu-setup detect` on the same machine, in the same run.  The machine is
# a --root tree that holds the whole stack as gpu-setup leaves it (the
# driver loaded, a complete toolkit, cuDNN, Miniconda, the mirror files,
# the framework environment's marker, the shipped hooks) and a state file
# whose last run passed doctor: the main job detects, resolves, checks
# every step's result, finds nothing to do and exits 0.  Prints the mean
# time of each, the ratio and the target (the second run under 1 s).  Not
# a test: it never fails on a ratio.  Needs root (install does).
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GPU_SETUP=${GPU_SETUP:-./gpu-setup}
RUNS=${RUNS:-20}
CACHE=${BENCH_CACHE:-$PWD/tests/bench-cache}
DUMP=$top_srcdir/tests/fixtures/pci/ampere-desktop.dump
export GPU_SETUP_PCI_IDS=$top_srcdir/tests/fixtures/pci.ids

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "second-run: install needs root; skipped (run 'make bench' as root)"
	exit 0
fi
R=$(mktemp -d "${TMPDIR:-/tmp}/gpu-setup-bench-root.XXXXXX")
trap 'rm -rf "$R"' EXIT
chmod 755 "$R"   # the user steps run as alice and must reach her home

# The finished machine.
mkdir -p "$R/etc" "$R/home/alice" "$R/sys/module/nvidia" "$R/proc/driver/nvidia" "$R/run" \
	"$R/proc/sys/kernel/random"
printf '%s\n' 'NAME="Ubuntu"' 'VERSION_ID="24.04"' 'ID=ubuntu' 'VERSION_CODENAME=noble' >"$R/etc/os-release"
echo 'alice:x:64001:64001::/home/alice:/bin/bash' >"$R/etc/passwd"
echo 'alice:x:64001:' >"$R/etc/group"
chown 64001:64001 "$R/home/alice"
echo 33333333-3333-4333-8333-333333333333 >"$R/proc/sys/kernel/random/boot_id"
echo 580.95.05 >"$R/sys/module/nvidia/version"
echo "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build" \
	>"$R/proc/driver/nvidia/version"
TK=$R/usr/local/cuda-13.0
mkdir -p "$TK/include" "$TK/bin" "$TK/lib64"
echo '{"cuda": {"name": "CUDA SDK", "version": "13.0.2"}}' >"$TK/version.json"
echo '#define CUDA_VERSION 13000' >"$TK/include/cuda.h"
printf '#!/bin/sh\necho "Cuda compilation tools, release 13.0, V13.0.88"\n' >"$TK/bin/nvcc"
chmod 755 "$TK/bin/nvcc"
: >"$TK/lib64/libcudart.so.13"
printf '#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 27\n#define CUDNN_PATCHLEVEL 0\n' >"$TK/include/cudnn_version.h"
MC=$R/home/alice/miniconda3
mkdir -p "$MC/bin" "$MC/envs/pytorch-2.14"
: >"$MC/bin/conda"
echo '{"framework": "pytorch", "version": "2.14.0", "cuda": "13.2"}' >"$MC/envs/pytorch-2.14/gpu-setup-env.json"
chown -R 64001:64001 "$R/home/alice/miniconda3"

A=(--root "$R" --pci-dump "$DUMP" --user alice)
# The mirror files as gpu-setup writes them, and a first run: it enables
# the hooks and runs doctor.
"$GPU_SETUP" "${A[@]}" mirror tuna >/dev/null
"$GPU_SETUP" "${A[@]}" --yes >/dev/null 2>&1 || true
# doctor cannot pass on a tree with no real driver: the state records it
# as passed, as after a real machine's first run.
sed -i 's/^\(step\tdoctor\t\)[a-z-]*\t/\1done\t/' "$R/var/lib/gpu-setup/state"
rc=0
out=$("$GPU_SETUP" "${A[@]}" --yes 2>&1) || rc=$?
case $out in
*"Nothing to do"*) ;;
*)
	echo "second-run: the tree is not a finished machine (exit $rc); the benchmark would time something else:" >&2
	echo "$out" >&2
	exit 1
	;;
esac

s=$(mean_us "$RUNS" "$GPU_SETUP" "${A[@]}" --yes)
d=$(mean_us "$RUNS" "$GPU_SETUP" "${A[@]}" detect)
printf '%-34s %12s\n' command mean_us
printf '%-34s %12d\n' "sudo gpu-setup (second run)" "$s" "gpu-setup detect" "$d"
echo "ratio second-run/detect: $(awk -v a="$s" -v b="$d" 'BEGIN { printf "%.2f", a / b }')"
echo "second run: $(awk -v a="$s" 'BEGIN { printf "%.3f", a / 1e6 }') s (target < 1 s)"
