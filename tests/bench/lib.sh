# lib.sh - shared by the benchmarks: timing, and Debian's nvidia-detect
# (what a Debian user runs to pick a driver) fetched when not installed.
# Sourced by tests/bench/*.sh, which set CACHE first.

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# mean_us RUNS CMD...: mean wall time of CMD in microseconds.
mean_us() {
	local n=$1 start end
	shift
	"$@" >/dev/null 2>&1 || true  # warm the page cache
	start=$(now_us)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || true; done
	end=$(now_us)
	echo $(((end - start) / n))
}

find_nvidia_detect() {
	if command -v nvidia-detect >/dev/null 2>&1; then
		NVIDIA_DETECT=$(command -v nvidia-detect)
		return 0
	fi
	local exe=$CACHE/nvidia-detect
	if [ ! -x "$exe" ]; then
		local d=$CACHE/apt
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$CACHE/pkg"
		echo "deb http://deb.debian.org/debian bookworm non-free" >"$d/sources.list"
		local A=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/nonexistent
			-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Debug::NoLocking=1
			-o APT::Sandbox::User=root)
		if ! { timeout 300 apt-get "${A[@]}" update -qq &&
			(cd "$CACHE" && timeout 300 apt-get "${A[@]}" download -qq nvidia-detect); } >/dev/null 2>&1; then
			echo "nvidia-detect: not installed and its package could not be fetched; skipping it" >&2
			return 1
		fi
		dpkg-deb -x "$CACHE"/nvidia-detect_*.deb "$CACHE/pkg"
		# Its ID lists are at a fixed path; point the copy at the unpacked ones.
		sed "s|^IDLISTDIR=.*|IDLISTDIR=$CACHE/pkg/usr/share/nvidia|" \
			"$CACHE/pkg/usr/bin/nvidia-detect" >"$exe"
		chmod +x "$exe"
	fi
	NVIDIA_DETECT=$exe
}

