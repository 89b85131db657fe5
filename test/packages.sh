#!/usr/bin/env bash
# test/packages.sh DIR: checks the release packages in DIR (the `release`
# target's build/release: a .deb and a .tar.gz per architecture), then
# installs this machine's .deb with dpkg -i, runs the applets from PATH,
# removes it with dpkg -r and checks that nothing is left behind. As root;
# refuses to touch an already installed tcptrace. Prints "ok"/"FAIL" lines
# and exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: test/packages.sh DIR}
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok   $*"; }

modes=$(sed -n 's/^TT_APPLET(\([a-z0-9_]*\), *\([a-z0-9_]*\),.*/\1/p' "$top/cmd/applets.def")
applets=$(sed -n 's/^TT_APPLET(\([a-z0-9_]*\), *\([a-z0-9_]*\),.*/\2/p' "$top/cmd/applets.def")
version=$(sed -n 's/^project(tcptrace VERSION \([0-9.]*\) .*/\1/p' "$top/CMakeLists.txt")

# What both kinds of package hold, relative to the prefix (/usr or the
# archive's top directory): "PATH" a file, "PATH -> tcptrace" a symlink.
expected() {
	local a
	echo sbin/tcptrace
	echo share/bash-completion/completions/tcptrace
	echo share/man/man8/tcptrace.8.gz
	for a in $applets; do
		echo "sbin/$a -> tcptrace"
		echo "share/bash-completion/completions/$a -> tcptrace"
		echo "share/man/man8/$a.8.gz"
	done
	for a in README.md json.md containers.md kernels.md performance.md copyright; do echo "share/doc/tcptrace/$a"; done
}

# tar tv lines -> "PATH" / "PATH -> TARGET" without PREFIX, files and links only.
listing() { # PREFIX
	awk -v p="$1" '$1 !~ /^d/ { n = $6; for (i = 7; i <= NF; i++) n = n " " $i
		if (index(n, p) == 1) print substr(n, length(p) + 1) }' | sort
}

# The static executable for ARCH (uname -m), as readelf sees it.
check_binary() { # FILE ARCH WHAT
	local machine
	case $2 in x86_64) machine='X86-64' ;; aarch64) machine=AArch64 ;; esac
	LC_ALL=C readelf -hW "$1" | grep -q "Machine:.*$machine" || fail "$3: not an $2 executable"
	! LC_ALL=C readelf -lW "$1" | grep -q 'INTERP' || fail "$3: not statically linked"
}

for arch in x86_64:amd64 aarch64:arm64; do
	uname=${arch%%:*} deb=${arch#*:} failed_before=$failed failed=0
	d=$dir/tcptrace_${version}_$deb.deb t=$dir/tcptrace-$version-linux-$uname.tar.gz
	[ -f "$d" ] || { fail "no $d"; continue; }
	[ -f "$t" ] || { fail "no $t"; continue; }
	expect=$(expected | sort)
	got=$(dpkg-deb -c "$d" | listing ./usr/)
	[ "$got" = "$expect" ] || fail "${d##*/} holds:
$(diff <(echo "$expect") <(echo "$got"))"
	got=$(tar tvzf "$t" | listing "tcptrace-$version-linux-$uname/")
	[ "$got" = "$expect" ] || fail "${t##*/} holds:
$(diff <(echo "$expect") <(echo "$got"))"
	[ "$(dpkg-deb -f "$d" Architecture)" = "$deb" ] || fail "${d##*/}: Architecture $(dpkg-deb -f "$d" Architecture)"
	[ -z "$(dpkg-deb -f "$d" Depends Pre-Depends Recommends)" ] || fail "${d##*/} depends on something"
	tmp=$(mktemp -d)
	dpkg-deb --fsys-tarfile "$d" | tar -x -C "$tmp" ./usr/sbin/tcptrace
	check_binary "$tmp/usr/sbin/tcptrace" "$uname" "${d##*/}"
	tar -xzf "$t" -C "$tmp" "tcptrace-$version-linux-$uname/sbin/tcptrace"
	check_binary "$tmp/tcptrace-$version-linux-$uname/sbin/tcptrace" "$uname" "${t##*/}"
	rm -rf "$tmp"
	[ $failed = 1 ] ||
		ok "${d##*/} and ${t##*/}: $(wc -l <<<"$expect") files and links, static $uname, no dependencies"
	[ $failed_before = 0 ] || failed=1
done

# ---- install, use, remove this machine's .deb ------------------------------------
deb=$dir/tcptrace_${version}_$(dpkg --print-architecture).deb
[ "$(id -u)" = 0 ] || { fail "dpkg -i needs root"; exit 1; }
if dpkg-query -W -f='${Status}' tcptrace 2>/dev/null | grep -q 'installed'; then
	fail "a tcptrace package is already installed here: not touching it"
	exit 1
fi
paths=$(dpkg-deb -c "$deb" | awk '{ n = $6; sub(/^\./, "", n); sub(/\/$/, "", n); if (n != "") print n }')
[ -n "$paths" ] || { fail "no paths in $deb"; exit 1; }
before=$(for p in $paths; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done)
if ! dpkg -i "$deb" >/dev/null; then
	fail "dpkg -i $deb"
	exit 1
fi
path=/usr/sbin:/usr/bin:/sbin:/bin
out=$(env -i PATH=$path tcpconnect --help 2>&1) && grep -q '^Usage: tcptrace connect' <<<"$out" ||
	fail "tcpconnect --help from PATH: $out"
[ "$(env -i PATH=$path tcptrace --list 2>&1)" = "$modes" ] || fail "tcptrace --list from PATH"
env -i PATH=$path tcptrace --version | grep -q "($(uname -m))" || fail "tcptrace --version"
for a in tcptrace $applets; do
	# bash-completion loads /usr/share/bash-completion/completions/NAME for command NAME.
	bash -c 'source "/usr/share/bash-completion/completions/$1" && complete -p "$1"' bash "$a" \
		>/dev/null 2>&1 || fail "no completion for $a from its installed file"
done
[ $failed = 1 ] || ok "dpkg -i ${deb##*/}: tcpconnect --help, tcptrace --list from PATH, completions"
dpkg -r tcptrace >/dev/null || fail "dpkg -r tcptrace"
dpkg-query -W -f='${Status}' tcptrace 2>/dev/null | grep -q 'installed' &&
	fail "still known to dpkg: $(dpkg-query -W -f='${Status}' tcptrace)"
after=$(for p in $paths; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done)
[ "$after" = "$before" ] || fail "left behind by dpkg -r:
$(diff <(echo "$before") <(echo "$after") | sed -n 's/^> //p')"
[ $failed = 1 ] || ok "dpkg -r tcptrace: nothing left behind ($(wc -w <<<"$paths") paths checked)"
exit $failed
