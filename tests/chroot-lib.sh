# chroot-lib.sh - a throwaway Debian chroot for the system tests that run
# the real apt and dpkg.  Sourced by tests/*.test after lib.sh.
#
# A minbase bookworm tree is built once with debootstrap and kept as a
# tarball in the cache directory; every chroot is a fresh extraction of it.
# Nothing is mounted: dpkg and apt work without /proc, and the tree's own
# /dev (device nodes debootstrap made, kept by tar) holds /dev/null.
#
#   chroot_skip_reason          prints why the tests cannot run here, then
#                               returns 0; returns 1 when they can
#   chroot_base_tarball         builds the tarball if needed, prints its path
#   chroot_make DIR             a fresh chroot in DIR
#   chroot_add_repo DIR REPODIR LINE...
#                               copies REPODIR into DIR/srv/ and writes the
#                               sources.list lines given
#   chroot_run DIR CMD...       runs CMD in the chroot, clean environment
#   chroot_cleanup DIR          removes the chroot
#
# Environment: GS_TEST_CACHE (cache directory), GS_TEST_MIRROR (the Debian
# mirror debootstrap uses, default http://deb.debian.org/debian).
set -u

CHROOT_SUITE=bookworm
CHROOT_ARCH=amd64
CHROOT_MIRROR=${GS_TEST_MIRROR:-http://deb.debian.org/debian}
CHROOT_CACHE=${GS_TEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/gpu-setup-tests}
# The name says what is in it: a change of suite, arch or recipe makes a
# new one rather than reusing a stale tarball.
CHROOT_TARBALL=$CHROOT_CACHE/debian-$CHROOT_SUITE-$CHROOT_ARCH-minbase-v2.tar.gz
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# _chroot_mirror_reachable: whether the mirror answers for the suite's
# Release file, within a few seconds.
_chroot_mirror_reachable() {
	_url=$CHROOT_MIRROR/dists/$CHROOT_SUITE/Release
	case $CHROOT_MIRROR in
	file:*) [ -r "${_url#file:}" ] ;;
	*)
		if command -v wget >/dev/null 2>&1; then
			wget -q -T 10 -t 1 --spider "$_url" >/dev/null 2>&1
		elif command -v curl >/dev/null 2>&1; then
			curl -fsS -m 10 -I "$_url" >/dev/null 2>&1
		else
			return 1
		fi
		;;
	esac
}

chroot_skip_reason() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "system tests need root (chroot, dpkg)"
		return 0
	fi
	if ! chroot / /bin/true >/dev/null 2>&1; then
		echo "chroot is not permitted here"
		return 0
	fi
	if [ ! -f "$CHROOT_TARBALL" ]; then
		if ! command -v debootstrap >/dev/null 2>&1 &&
			! [ -x /usr/sbin/debootstrap ]; then
			echo "debootstrap is not installed and there is no cached $CHROOT_TARBALL"
			return 0
		fi
		if ! _chroot_mirror_reachable; then
			echo "no cached $CHROOT_TARBALL and $CHROOT_MIRROR is not reachable"
			return 0
		fi
	fi
	return 1
}

# _chroot_build_tarball TMPFILE: debootstrap into a scratch directory next
# to the cache and pack the result into TMPFILE.
_chroot_build_tarball() {
	_tree=$(mktemp -d "$CHROOT_CACHE/build.XXXXXX") || return 1
	_log=$CHROOT_CACHE/debootstrap.log
	if ! PATH=$CHROOT_PATH debootstrap --variant=minbase --arch="$CHROOT_ARCH" \
		"$CHROOT_SUITE" "$_tree" "$CHROOT_MIRROR" >"$_log" 2>&1; then
		echo "chroot-lib: debootstrap failed, see $_log" >&2
		tail -n 5 "$_log" >&2
		# debootstrap mounts /proc and /sys in the tree while it runs;
		# never rm -rf across a mount left behind by a failure.
		_chroot_umount_all "$_tree"
		rm -rf --one-file-system "$_tree"
		return 1
	fi
	_chroot_umount_all "$_tree"
	# Small and network-free: no downloaded debs, no package lists, no
	# sources (chroot_make writes an empty sources.list).
	# Documentation is a third of minbase and of no use to the tests
	# (dpkg does not mind files of its packages missing).
	rm -rf "$_tree"/var/cache/apt/archives/*.deb "$_tree"/var/lib/apt/lists/* \
		"$_tree"/var/cache/apt/*.bin "$_tree"/var/log/bootstrap.log \
		"$_tree"/usr/share/doc/* "$_tree"/usr/share/man/* \
		"$_tree"/usr/share/info/* "$_tree"/usr/share/locale/*
	: >"$_tree/etc/apt/sources.list"
	chmod 755 "$_tree"
	if ! tar -C "$_tree" --numeric-owner -czf "$1" .; then
		rm -rf --one-file-system "$_tree"
		return 1
	fi
	rm -rf --one-file-system "$_tree"
}

# chroot_base_tarball: make sure the cached tarball exists; print its path.
# Safe against parallel tests: one builds under the lock, into a temporary
# name renamed into place; the others wait for the lock and find it.
chroot_base_tarball() {
	if [ -f "$CHROOT_TARBALL" ]; then
		echo "$CHROOT_TARBALL"
		return 0
	fi
	mkdir -p "$CHROOT_CACHE" || return 1
	(
		# fd 9 is the lock, released when this subshell exits.
		flock 9 || exit 1
		[ -f "$CHROOT_TARBALL" ] && exit 0
		# What a killed build left (no other build runs: we hold the lock).
		for _stale in "$CHROOT_CACHE"/build.* "$CHROOT_CACHE"/*.tmp.*; do
			[ -e "$_stale" ] || continue
			_chroot_umount_all "$_stale"
			rm -rf --one-file-system "$_stale"
		done
		_tmp=$CHROOT_TARBALL.tmp.$$
		if ! _chroot_build_tarball "$_tmp"; then
			rm -f "$_tmp"
			exit 1
		fi
		mv -f "$_tmp" "$CHROOT_TARBALL" || exit 1
		# Tarballs of earlier recipes are never used again.
		for _old in "$CHROOT_CACHE"/debian-*-minbase-v*.tar.gz; do
			[ "$_old" = "$CHROOT_TARBALL" ] || rm -f "$_old"
		done
	) 9>"$CHROOT_CACHE/lock" || return 1
	echo "$CHROOT_TARBALL"
}

# chroot_make DIR: a fresh chroot in DIR (created, or empty).
chroot_make() {
	_dir=$1
	_tb=$(chroot_base_tarball) || return 1
	mkdir -p "$_dir" || return 1
	tar -C "$_dir" --numeric-owner -xzf "$_tb" || return 1
	# The chroot's / is DIR: apt's _apt user must be able to walk it
	# (mktemp -d makes 0700 directories, the tarball's ./ included).
	chmod 755 "$_dir"
	# The tarball keeps debootstrap's device nodes; where a tar could not
	# make them, make the one dpkg and apt need.
	if [ ! -c "$_dir/dev/null" ]; then
		rm -f "$_dir/dev/null"
		mknod -m 666 "$_dir/dev/null" c 1 3 || return 1
	fi
	: >"$_dir/etc/apt/sources.list"
	rm -f "$_dir"/etc/apt/sources.list.d/*
	# Never start a service from a maintainer script.
	printf '#!/bin/sh\nexit 101\n' >"$_dir/usr/sbin/policy-rc.d"
	chmod 755 "$_dir/usr/sbin/policy-rc.d"
	# What the tests install is what they name; no progress bars in logs.
	cat >"$_dir/etc/apt/apt.conf.d/90gpu-setup-tests" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
Acquire::Languages "none";
EOF
}

# chroot_add_repo DIR REPODIR LINE...: copy REPODIR to DIR/srv/NAME (NAME is
# REPODIR's last component) and write the LINEs to a sources list of its
# own, replacing an earlier one for the same repository.
chroot_add_repo() {
	_dir=$1 _repo=${2%/}
	shift 2
	_name=${_repo##*/}
	mkdir -p "$_dir/srv" || return 1
	rm -rf "${_dir:?}/srv/$_name"
	cp -a "$_repo" "$_dir/srv/$_name" || return 1
	# apt reads file: repositories as its _apt user.
	chmod -R a+rX "$_dir/srv/$_name"
	: >"$_dir/etc/apt/sources.list.d/$_name.list"
	for _line in "$@"; do
		echo "$_line" >>"$_dir/etc/apt/sources.list.d/$_name.list"
	done
}

# chroot_run DIR CMD...: CMD in the chroot with a clean environment: no
# host locale (perl and apt would warn about a locale the chroot lacks),
# non-interactive debconf.
chroot_run() {
	_dir=$1
	shift
	env -i PATH="$CHROOT_PATH" HOME=/root LC_ALL=C.UTF-8 TERM=dumb \
		DEBIAN_FRONTEND=noninteractive chroot "$_dir" "$@"
}

# _chroot_umount_all DIR: unmount whatever is mounted under DIR, deepest
# first (only debootstrap mounts anything; tests do not).
_chroot_umount_all() {
	_abs=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	awk -v d="$_abs" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r | while read -r _m; do
		umount "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null || true
	done
}

# chroot_cleanup DIR: remove a chroot chroot_make made.
chroot_cleanup() {
	[ -d "$1" ] || return 0
	_chroot_umount_all "$1"
	rm -rf --one-file-system "$1"
}
