#!/bin/sh
# stack-lib.sh - what the system tests of the whole stack share (sourced
# by offline.test and main-job.test after lib.sh and chroot-lib.sh): a
# loopback server for NVIDIA's, Anaconda's and the driver repository's
# files and a pip index, chroots that say they are Ubuntu 24.04, and the
# stand-ins (runfile, cuDNN archive, Miniconda installer, wheels) built
# for the versions the plan chooses, with the compat data rewritten to
# their sha256 and URLs.
#
# stack_start: the servers (sets BASE, INDEX and the EXIT trap).
# make_root NAME: a chroot, printed.
# stack_artifacts ROOT [CUDNN_PAD_MB]: the stand-ins for ROOT's plan
#   (sets CUDA, RUNFILE, CUDNN, CUDNN_VER, MC, REQ, VARIANT, SERIES).
# gs ROOT ARGS...: gpu-setup with the test's data; sets rc.

KREL=6.1.0-99-amd64
AMPERE=$FIXTURES/pci/ampere-desktop.dump
SRV=$TMPD/srv
CACHE=$TMPD/cache
PIP_PID=
mkdir -p "$SRV/nvidia" "$SRV/anaconda" "$SRV/simple"
python3 "$FIXTURES/gen-nvidia-repo" "$SRV/repo" "$KREL" >"$TMPD/gen.log" 2>&1 ||
	{ diag <"$TMPD/gen.log"; echo "Bail out! cannot generate the driver repositories"; exit 1; }
stack_start() {
	http_server_start "$SRV" "$TMPD/http.log" || { echo "Bail out! cannot start tests/http-server.py"; exit 1; }
	# The pip index is a plain directory listing, as python's http.server makes.
	PIP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	(cd "$SRV" && exec python3 -m http.server --bind 127.0.0.1 "$PIP_PORT") >/dev/null 2>&1 &
	PIP_PID=$!
	trap 'http_server_stop; [ -n "$PIP_PID" ] && kill "$PIP_PID"; for r in "$TMPD"/root-*; do chroot_cleanup "$r"; done; rm -rf "$TMPD"' EXIT
	chmod 711 "$TMPD"
	BASE=http://127.0.0.1:$HTTP_PORT/ok
	INDEX=http://127.0.0.1:$PIP_PORT/simple
}
STANDIN_LOG=/var/log/miniconda-standin.log

# make_root NAME: a chroot that says it is Ubuntu 24.04 on kernel KREL,
# whose apt reads the generated repository through the loopback server
# (its lists fetched now, as a machine that was once online has them), with
# the user alice.
make_root() {
	r=$TMPD/root-$1
	chroot_make "$r" >/dev/null 2>&1 || { echo "Bail out! cannot make a chroot"; exit 1; }
	rm -f "$r/etc/os-release" "$r/usr/lib/os-release"
	printf '%s\n' 'PRETTY_NAME="Ubuntu 24.04.1 LTS"' 'NAME="Ubuntu"' 'VERSION_ID="24.04"' \
		'VERSION_CODENAME=noble' 'ID=ubuntu' 'ID_LIKE=debian' >"$r/etc/os-release"
	rm -f "$r/etc/apt/sources.list.d/"*
	echo "deb [trusted=yes] $BASE/repo/ubuntu noble main restricted" >"$r/etc/apt/sources.list"
	mkdir -p "$r/proc/sys/kernel"
	echo "$KREL" >"$r/proc/sys/kernel/osrelease"
	chroot_run "$r" apt-get update -q >"$TMPD/update.log" 2>&1 ||
		{ diag <"$TMPD/update.log"; echo "Bail out! apt-get update in the chroot"; exit 1; }
	{ chroot_run "$r" groupadd -g 64001 alice && chroot_run "$r" useradd -m -u 64001 -g 64001 -s /bin/bash alice; } \
		>"$TMPD/useradd.log" 2>&1 || { diag <"$TMPD/useradd.log"; echo "Bail out! cannot add alice"; exit 1; }
	: >"$r$STANDIN_LOG"
	chmod 666 "$r$STANDIN_LOG"
	# A gcc the runfile accepts (NVIDIA's installer and gpu-setup ask it).
	printf '#!/bin/sh\necho 13\n' >"$r/usr/bin/gcc"
	chmod 755 "$r/usr/bin/gcc"
	echo "$r"
}

gs() {  # gs ROOT ARGS...: gpu-setup for an Ampere card with the test's data; sets rc
	_root=$1
	shift
	rc=0
	"$GPU_SETUP" ${_root:+--root "$_root"} --compat-dir "$TMPD/compat" "$@" \
		>"$TMPD/out" 2>"$TMPD/err" </dev/null || rc=$?
}
show() { cat "$TMPD/out" "$TMPD/err" | diag; }
jget() { python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($1)" "$TMPD/out"; }
# state ROOT: what an install changes (packages, /usr/local, alice's home, apt's
# sources and lists), for a refused run to leave as it was.
state() {
	(cd "$1" && { md5sum var/lib/dpkg/status etc/apt/sources.list; find usr/local home/alice etc/apt var/lib/apt/lists \
		var/lib/gpu-setup -printf '%p %y %s\n' 2>/dev/null; } | sort)
}

cp -r "$top_srcdir/compat" "$TMPD/compat"

stack_artifacts() {
	_pad=${2:-0}
	gs "$1" --pci-dump "$AMPERE" --python 3.12 --user alice --json plan
	[ "$rc" -eq 0 ] && [ "$(jget 'j["resolution"]["result"]')" = ok ]
	ok $? "plan resolves for the chroot (Ampere, Ubuntu 24.04 with the generated driver repository)" || show
	[ "$rc" -eq 0 ] || { show; echo "Bail out! plan does not resolve for the chroot"; exit 1; }
	CUDA=$(jget 'j["resolution"]["cuda"]["version"]')
	RUNFILE=$(jget 'j["resolution"]["cuda"]["runfile"]')
	RUNFILE_URL=$(jget 'j["resolution"]["cuda"]["url"]')
	CUDNN_URL=$(jget 'j["resolution"]["cudnn"]["url"]')
	CUDNN_VER=$(jget 'j["resolution"]["cudnn"]["version"]')
	CUDNN=$(jget 'j["resolution"]["cudnn"]["archive"]')
	LAYOUT=$(jget 'j["resolution"]["cudnn"]["layout"]')
	REQ=$(jget 'j["resolution"]["framework"]["pip_requirement"]')
	VARIANT=$(jget 'j["resolution"]["framework"]["variant"]')
	MC=$(awk -F'\t' '!/^#/ && $1 != "name" { n = $1 } END { print n }' "$top_srcdir/compat/miniconda.tsv")
	SERIES=${REQ#torch==}
	SERIES=${SERIES%.\*}
	diag "CUDA $CUDA ($RUNFILE), cuDNN $CUDNN_VER ($CUDNN), $REQ $VARIANT, $MC"

	"$FIXTURES/gen-cuda-runfile" --version "$CUDA" --out "$SRV/nvidia/$RUNFILE" >"$TMPD/gen.log" 2>&1 ||
		{ diag <"$TMPD/gen.log"; echo "Bail out! cannot build the runfile stand-in"; exit 1; }
	case $CUDA in 1[3-9].*) CMAJ=13 ;; 12.*) CMAJ=12 ;; *) CMAJ=11 ;; esac
	"$FIXTURES/gen-cudnn-archive" --version "$CUDNN_VER" --cuda "$CMAJ" --layout "$LAYOUT" --pad-mb "$_pad" --out "$SRV/nvidia/$CUDNN" \
		>"$TMPD/gen.log" 2>&1 || { diag <"$TMPD/gen.log"; echo "Bail out! cannot build the cuDNN archive"; exit 1; }
	"$FIXTURES/gen-miniconda-installer" --out "$SRV/anaconda/$MC" --log "$STANDIN_LOG" >"$TMPD/gen.log" 2>&1 ||
		{ diag <"$TMPD/gen.log"; echo "Bail out! cannot write the Miniconda stand-in"; exit 1; }
	# Wheels pip resolves: the framework (for CPython 3.12 on manylinux) and a
	# pure-Python dependency of it.
	python3 - "$SRV/simple" "$SERIES.1+$VARIANT" <<'EOF' || { echo "Bail out! cannot write the wheels"; exit 1; }
import base64, hashlib, os, sys, zipfile
out, torch_version = sys.argv[1], sys.argv[2]
def wheel(name, version, tag, requires=()):
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f'__version__ = "{version}"\n',
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                 + "".join(f"Requires-Dist: {r}\n" for r in requires),
             f"{dist}/WHEEL": f"Wheel-Version: 1.0\nGenerator: offline.test\nRoot-Is-Purelib: false\nTag: {tag}\n"}
    record = "".join(f"{k},sha256={base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b'=').decode()},{len(v)}\n"
                     for k, v in files.items()) + f"{dist}/RECORD,,\n"
    os.makedirs(f"{out}/{name}", exist_ok=True)
    with zipfile.ZipFile(f"{out}/{name}/{name}-{version}-{tag}.whl", "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
        z.writestr(f"{dist}/RECORD", record)
wheel("torch", torch_version, "cp312-cp312-manylinux_2_28_x86_64", ["filelock"])
wheel("filelock", "3.13.1", "py3-none-any")
EOF

	# The compat data as the vendors' files would match it: sha256 and URL of
	# each stand-in, and the PyTorch index on loopback.
	sum() { sha256sum "$1" | cut -d' ' -f1; }
	rewrite() {  # rewrite TABLE KEYCOL KEY SHACOL SHA URLCOL URL
		awk -F'\t' -v OFS='\t' -v kc="$2" -v k="$3" -v sc="$4" -v s="$5" -v uc="$6" -v u="$7" \
			'$kc == k { $sc = s; $uc = u } { print }' "$TMPD/compat/$1" >"$TMPD/t" && mv "$TMPD/t" "$TMPD/compat/$1"
}
rewrite cuda.tsv 5 "$RUNFILE" 8 "$(sum "$SRV/nvidia/$RUNFILE")" 7 "$RUNFILE_URL"
rewrite cudnn.tsv 3 "$CUDNN" 6 "$(sum "$SRV/nvidia/$CUDNN")" 5 "$CUDNN_URL"
# NVIDIA's files come from a copy of its site (as a lab's mirror would
# hold them, under the same paths), NVIDIA's own URL unreachable after it.
for u in "$RUNFILE_URL" "$CUDNN_URL"; do
	p=${u#https://*/}
	mkdir -p "$SRV/nvidia-mirror/${p%/*}"
	ln "$SRV/nvidia/${u##*/}" "$SRV/nvidia-mirror/$p"
done
export GPU_SETUP_NVIDIA_MIRROR=$BASE/nvidia-mirror
rewrite miniconda.tsv 1 "$MC" 4 "$(sum "$SRV/anaconda/$MC")" 5 "$BASE/anaconda/$MC"
export GPU_SETUP_PIP_INDEX=$INDEX
}
