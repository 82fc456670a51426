#!/bin/bash
# Benchmark: the resolver.  Runs every case of tests/fixtures/resolve-cases.tsv
# through `gpu-setup compat --json` and reports
#   - the mean time per case, against Debian's nvidia-detect (the tool a
#     Debian user has for picking a driver, which answers only that) on the
#     same GPU IDs, in the same run;
#   - how many answers match what the framework's own install page publishes
#     (tests/bench/published.tsv): a PyTorch wheel variant the release
#     ships, a TensorFlow release's tested CUDA and cuDNN, a Python inside
#     the published range.
# Not a test: it never fails on a ratio or a count.
set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GPU_SETUP=${GPU_SETUP:-./gpu-setup}
RUNS=${RUNS:-20}
CASES=$top_srcdir/tests/fixtures/resolve-cases.tsv
PUBLISHED=$top_srcdir/tests/bench/published.tsv
CACHE=${BENCH_CACHE:-$PWD/tests/bench-cache}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# shellcheck source=tests/bench/lib.sh
. "$top_srcdir/tests/bench/lib.sh"

# One argument file per case (compat's options, one per line) and one file
# of 10deXXXX IDs for nvidia-detect.
grep -v '^#' "$CASES" | tail -n +2 | while IFS=$'\t' read -r name gpus distro installed fw cuda driver cudnn python _; do
	{
		if [ "$gpus" != - ]; then for id in ${gpus//,/ }; do printf -- '--gpu\n10de:%s\n' "$id"; done; fi
		[ "$distro" = - ] || printf -- '--distro\n%s\n' "$distro"
		[ "$installed" = - ] || printf -- '--installed-driver\n%s\n' "${installed%%:*}"
		printf -- '--framework\n%s\n' "$fw"
		[ "$cuda" = - ] || printf -- '--cuda\n%s\n' "$cuda"
		[ "$driver" = - ] || printf -- '--driver\n%s\n' "$driver"
		[ "$cudnn" = - ] || printf -- '--cudnn\n%s\n' "$cudnn"
		[ "$python" = - ] || printf -- '--python\n%s\n' "$python"
	} >"$OUT/$name.args"
	if [ "$gpus" != - ]; then tr ',' '\n' <<<"$gpus" | sed 's/^/10de/' >"$OUT/$name.ids"; fi
done

run_case() { local a; mapfile -t a <"$1"; "$GPU_SETUP" compat --json "${a[@]}"; }
run_all_cases() { local f; for f in "$OUT"/*.args; do run_case "$f" || true; done; }
run_all_nd() { local f id; for f in "$OUT"/*.ids; do while read -r id; do "$NVIDIA_DETECT" "$id" || true; done <"$f"; done; }

ncases=$(find "$OUT" -name '*.args' | wc -l)
ngpu_cases=$(find "$OUT" -name '*.ids' | wc -l)
t_all=$(mean_us "$RUNS" run_all_cases)
echo "cases: $ncases, $RUNS runs each"
echo "gpu-setup compat: $((t_all / ncases)) us per case (all $ncases)"

have_nd=0
find_nvidia_detect && have_nd=1
if [ $have_nd = 1 ]; then
	# gpu-setup on the cases with GPUs only, so both tools answer the same IDs.
	run_gpu_cases() { local f; for f in "$OUT"/*.ids; do run_case "${f%.ids}.args" || true; done; }
	t_g=$(mean_us "$RUNS" run_gpu_cases)
	t_n=$(mean_us "$RUNS" run_all_nd)
	echo "nvidia-detect:    $((t_n / ngpu_cases)) us per case ($ngpu_cases cases with GPUs; it picks a driver package only)"
	echo "ratio compat/nvidia-detect: $(awk -v a="$t_g" -v b="$t_n" 'BEGIN { printf "%.3f", a / b }')"
fi

# Answers against the published pages.
for f in "$OUT"/*.args; do run_case "$f" >"${f%.args}.json" 2>/dev/null || true; done
python3 - "$OUT" "$PUBLISHED" <<'PY'
import glob, json, os, sys

out, published = sys.argv[1], sys.argv[2]
pub = {}
for line in open(published):
    if line.startswith('#') or line.startswith('framework\t'):
        continue
    fw, rel, cuda, cudnn, pmin, pmax = line.rstrip('\n').split('\t')
    pub[(fw, rel)] = (cuda, cudnn, pmin, pmax)

def ver(s):
    return tuple(int(x) for x in s.split('.'))

total = matched = 0
for path in sorted(glob.glob(os.path.join(out, '*.json'))):
    name = os.path.basename(path)[:-5]
    try:
        res = json.load(open(path))['resolution']
    except (ValueError, KeyError):
        continue
    fw = res.get('framework')
    if res['result'] != 'ok' or not fw:
        continue
    total += 1
    key = (fw['name'], fw['version'])
    why = []
    if key not in pub:
        why.append('release not on the page')
    else:
        cuda, cudnn, pmin, pmax = pub[key]
        if fw['name'] == 'pytorch' and fw['variant'] not in cuda.split(','):
            why.append('variant %s not published' % fw['variant'])
        if fw['name'] == 'tensorflow':
            tk = res['cuda']['version']
            if not tk.startswith(cuda + '.'):
                why.append('CUDA %s, page says %s' % (tk, cuda))
            got = res['cudnn']['version'] if res.get('cudnn') else '-'
            if ver(got)[:len(ver(cudnn))] != ver(cudnn):
                why.append('cuDNN %s, page says %s' % (got, cudnn))
        py = res.get('python')
        if py and not (ver(pmin) <= ver(py) <= ver(pmax)):
            why.append('Python %s outside %s-%s' % (py, pmin, pmax))
    if why:
        print('  differs: %s (%s %s): %s' % (name, fw['name'], fw['version'], '; '.join(why)))
    else:
        matched += 1
print('answers matching the frameworks\' install pages: %d of %d cases with a framework answer' % (matched, total))
PY
