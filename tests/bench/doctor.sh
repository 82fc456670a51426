#!/bin/bash
# Benchmark: `gpu-setup doctor` (without --deep and --online) against what a
# user runs instead to look at the same stack, in the same run:
#   nvidia-smi                               (when installed)
#   ldconfig -p | grep cudnn
#   python3 -m torch.utils.collect_env       (when PyTorch is installed)
# Doctor runs twice: on this machine, and on the healthy workstation tree of
# tests/fixtures/gen-doctor-tree, where every check has something to read
# (driver, module, initramfs, toolkit, cuDNN, pip and conda files).
# Prints mean times and ratios; the target is doctor/collect_env < 0.1.
# Not a test: it never fails on a ratio.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GPU_SETUP=${GPU_SETUP:-$PWD/gpu-setup}
case $GPU_SETUP in /*) ;; *) GPU_SETUP=$PWD/$GPU_SETUP ;; esac
RUNS=${RUNS:-20}
export top_srcdir GPU_SETUP

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-setup-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$top_srcdir/tests/fixtures/gen-doctor-tree" "$work/tree" healthy >/dev/null

doctor_live() { "$GPU_SETUP" --compat-dir "$top_srcdir/compat" doctor; }
doctor_tree() {
	"$GPU_SETUP" --root "$work/tree" --pci-dump "$work/tree/gpus.dump" --compat-dir "$top_srcdir/compat" \
		doctor --user alice
}
ldconfig_cudnn() { ldconfig -p | grep cudnn; }
# The first python3 that has PyTorch: the one on PATH, else the system's
# (python3-torch), which a pyenv or conda python3 on PATH hides.
TORCH_PY=
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import torch' >/dev/null 2>&1; then TORCH_PY=$py; break; fi
done
collect_env() { "$TORCH_PY" -m torch.utils.collect_env; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

d_live=$(mean_us "$RUNS" doctor_live)
d_tree=$(mean_us "$RUNS" doctor_tree)
ldc=$(mean_us "$RUNS" ldconfig_cudnn)
printf '%-40s %12s\n' command mean_us
printf '%-40s %12d\n' "gpu-setup doctor (this machine)" "$d_live" "gpu-setup doctor (healthy fixture tree)" "$d_tree" \
	"ldconfig -p | grep cudnn" "$ldc"
if command -v nvidia-smi >/dev/null 2>&1; then
	smi=$(mean_us "$RUNS" nvidia-smi)
	printf '%-40s %12d\n' nvidia-smi "$smi"
	echo "ratio doctor/nvidia-smi (this machine): $(ratio "$d_live" "$smi")"
else
	echo "nvidia-smi: not installed here; no ratio"
fi
echo "ratio doctor/ldconfig-p-grep-cudnn (this machine): $(ratio "$d_live" "$ldc")"
echo "ratio doctor/ldconfig-p-grep-cudnn (fixture tree): $(ratio "$d_tree" "$ldc")"
if [ -n "$TORCH_PY" ]; then
	ce=$(mean_us 3 collect_env)
	printf '%-40s %12d\n' "$TORCH_PY -m torch.utils.collect_env" "$ce"
	echo "ratio doctor/collect_env (this machine): $(ratio "$d_live" "$ce") (target < 0.100)"
	echo "ratio doctor/collect_env (fixture tree): $(ratio "$d_tree" "$ce") (target < 0.100)"
else
	echo "PyTorch is not installed for python3 or /usr/bin/python3: no collect_env ratio (CI installs python3-torch)"
fi
