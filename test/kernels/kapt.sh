# shellcheck shell=bash
# kapt.sh: the Debian kernels the guests boot, found and downloaded through
# a private apt configuration (sourced by fetch-kernel.sh). Nothing of this
# machine's apt state is read or written: the sources, the package lists
# and apt's cache live in one directory, KAPT_DIR (fetch-kernel.sh --apt;
# matrix.sh shares BUILD/kcache/apt among all its kernels).
#
#   kapt_init DIR        create DIR's sources.list and apt.conf (from the
#                        mirror this machine's own sources use)
#   kapt_update          fetch the package lists (once a day at most)
#   kapt_candidates NAME the packages a kernel name may be, newest first
#   kapt_download LOG PKG...   apt-get download into the current directory
#   kapt_pkgs            every package name the private lists know
#
# A kernel's short name (matrix.sh --kernel 5.10) is the Debian release
# that brings it:
#
#   5.10  linux-image-5.10.0-N-ARCH-unsigned      bullseye(-security)
#   6.1   linux-image-6.1.0-N-ARCH-unsigned       bookworm-security
#   6.12  linux-image-6.12.N+debNN-ARCH-unsigned  trixie, bookworm-backports
#   7.3   linux-image-7.3.N+debNN-ARCH-unsigned   trixie-backports (7.x: the
#         image, linux-binary-*, linux-base-* and linux-modules-* packages)
#
# The newest that apt knows wins; one whose file the mirror lacks (404:
# bullseye-security lists arm64 5.10.0-46 but its pool has no file) gives
# way to the next (bullseye's 5.10.0-32).

KAPT_SUITES='debian:bullseye debian-security:bullseye-security debian:bookworm
debian-security:bookworm-security debian:bookworm-backports debian:trixie
debian-security:trixie-security debian:trixie-backports'

kapt_mirror() { # this machine's Debian mirror (its /debian URI)
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -oE '(https?|file)://[^ ]*/debian/?( |$)' | head -n 1 | tr -d ' ' || true)
	m=${m%/}
	echo "${m:-http://deb.debian.org/debian}"
}

kapt_init() { # DIR
	KAPT_DIR=$1
	mkdir -p "$KAPT_DIR/lists/partial" "$KAPT_DIR/cache/archives/partial"
	local mirror sec s
	mirror=$(kapt_mirror)
	sec=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -oE '(https?|file)://[^ ]*/debian-security/?( |$)' | head -n 1 | tr -d ' ' || true)
	sec=${sec%/}
	sec=${sec:-$mirror-security}
	for s in $KAPT_SUITES; do
		case ${s%%:*} in
		debian) echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror ${s#*:} main" ;;
		*) echo "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $sec ${s#*:} main" ;;
		esac
	done >"$KAPT_DIR/sources.list.tmp"
	cmp -s "$KAPT_DIR/sources.list.tmp" "$KAPT_DIR/sources.list" 2>/dev/null &&
		rm "$KAPT_DIR/sources.list.tmp" || mv "$KAPT_DIR/sources.list.tmp" "$KAPT_DIR/sources.list"
	cat >"$KAPT_DIR/apt.conf" <<-EOF
		Dir::Etc::SourceList "$KAPT_DIR/sources.list";
		Dir::Etc::SourceParts "/dev/null";
		Dir::Etc::Preferences "/dev/null";
		Dir::Etc::PreferencesParts "/dev/null";
		Dir::State::Lists "$KAPT_DIR/lists";
		Dir::Cache "$KAPT_DIR/cache";
		Dir::State::status "/dev/null";
		APT::Architectures { "amd64"; "arm64"; };
		APT::Sandbox::User "root";
		Acquire::Languages "none";
	EOF
}

kapt() { APT_CONFIG=$KAPT_DIR/apt.conf "$@"; }

kapt_update() { # the lists, when older than a day (or absent)
	local stamp=$KAPT_DIR/lists/.updated wait
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440)" ] &&
		[ "$stamp" -nt "$KAPT_DIR/sources.list" ]; then
		return 0
	fi
	# (a mirror or resolver that fails for a while: as apt_download)
	for wait in 15 30 60 120 ''; do
		if kapt apt-get -q update >"$KAPT_DIR/update.log" 2>&1 &&
			! grep -q '^E: ' "$KAPT_DIR/update.log"; then
			touch "$stamp"
			return 0
		fi
		[ -n "$wait" ] || break
		echo "kapt: apt-get update: $(grep -m1 '^[EW]: ' "$KAPT_DIR/update.log" || echo failed); again in $wait s" >&2
		sleep "$wait"
	done
	# Some lists may have come: use what there is.
	grep '^[EW]: ' "$KAPT_DIR/update.log" | sort -u | head -n 3 >&2
	[ -n "$(ls "$KAPT_DIR/lists" | grep -v -e partial -e lock)" ]
}

kapt_pkgs() { kapt apt-cache pkgnames 2>/dev/null; }

kapt_re() { # NAME DEB-ARCH: the regular expression of its packages
	local v=${1//./\\.}
	case $1 in
	5.* | 6.1) echo "^linux-image-$v\\.0-[0-9]+-$2-unsigned\$" ;;
	*) echo "^linux-(image-$v\\.[0-9]+\\+deb[0-9]+-$2-unsigned|binary-$v\\.[0-9]+\\+deb[0-9]+-$2)\$" ;;
	esac
}

kapt_candidates() { # NAME DEB-ARCH: newest first
	# (by version: a 7.x kernel is linux-binary-VER, an older one linux-image-VER-unsigned)
	kapt_pkgs | grep -E "$(kapt_re "$1" "$2")" | sed 's/^linux-[a-z]*-\(.*\)/\1 &/' |
		sort -rV -k1,1 | cut -d' ' -f2 || true
}

# kapt_download LOG PKG...: as arch.sh's apt_download, through the private
# configuration; exit 2 at once when the mirror has no such file (404).
kapt_download() {
	local log=$1 wait
	shift
	for wait in 15 30 60 120 120 120 ''; do
		kapt apt-get -q download "$@" >"$log" 2>&1 && return 0
		grep -q '404' "$log" && return 2
		grep -q '^E: \(Unable to locate\|Can.t select\)' "$log" && return 2
		[ -n "$wait" ] || break
		echo "apt-get download $*: $(grep -m1 '^E: ' "$log" || echo failed); again in $wait s" >&2
		sleep "$wait"
	done
	grep "^E:" "$log" | sort -u | head -n 3 >&2
	return 1
}
