# shellcheck shell=bash
# elf.sh: the shared libraries a program loads, read from its ELF headers
# (readelf, binutils) rather than by running it (ldd), so that it works for
# another architecture's programs too. Sourced by run-guest.sh and
# fetch-userland.sh.
#
#   elf_static FILE          true for a statically linked executable
#   elf_needed FILE          its NEEDED entries, one per line
#   elf_interp FILE          its program interpreter (/lib/ld-linux-aarch64.so.1), if any
#   elf_triplet FILE         its multiarch triplet (aarch64-linux-gnu, x86_64-linux-gnu)
#   elf_find ROOT TRIPLET NAME  ROOT's library NAME as a path inside ROOT, from
#                            the directories a Debian dynamic loader searches
#   elf_libs ROOT FILE...    the interpreter and every library the FILEs need,
#                            recursively, as paths inside ROOT; names the
#                            missing ones on stderr and fails

elf_static() {
	LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Elf file type is EXEC\|Elf file type is DYN' &&
		! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q '^ *INTERP '
}

elf_needed() {
	LC_ALL=C readelf -dW "$1" 2>/dev/null | sed -n 's/.*(NEEDED) *Shared library: \[\(.*\)\]$/\1/p'
}

elf_interp() {
	LC_ALL=C readelf -lW "$1" 2>/dev/null |
		sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p'
}

elf_triplet() {
	case $(LC_ALL=C readelf -hW "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p') in
	AArch64) echo aarch64-linux-gnu ;;
	*X86-64) echo x86_64-linux-gnu ;;
	*) return 1 ;;
	esac
}

elf_find() {
	local d
	for d in "$1/lib/$2" "$1/usr/lib/$2" "$1/lib" "$1/usr/lib"; do
		if [ -e "$d/$3" ]; then
			echo "${d#"$1"}/$3"
			return 0
		fi
	done
	return 1
}

elf_libs() {
	local root=$1 f lib path triplet rc=0
	shift
	local -A seen=()
	local todo=("$@") out=()
	for f in "$@"; do
		lib=$(elf_interp "$f")
		[ -z "$lib" ] || [ -n "${seen[$lib]:-}" ] || { seen[$lib]=1; out+=("$lib"); }
		[ -z "$lib" ] || [ -e "$root$lib" ] || { echo "elf: $f: no $lib in $root" >&2; rc=1; }
	done
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		triplet=$(elf_triplet "$f") || { echo "elf: $f: not an x86-64 or AArch64 ELF" >&2; return 1; }
		for lib in $(elf_needed "$f"); do
			[ -z "${seen[$lib]:-}" ] || continue
			seen[$lib]=1
			if ! path=$(elf_find "$root" "$triplet" "$lib"); then
				echo "elf: $lib (needed by ${f#"$root"}) not in $root" >&2
				rc=1
				continue
			fi
			out+=("$path")
			todo+=("$root$path")
		done
	done
	[ ${#out[@]} = 0 ] || printf '%s\n' "${out[@]}"
	return $rc
}
