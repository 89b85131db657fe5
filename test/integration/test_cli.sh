# shellcheck shell=bash
# The command line of every mode in the registry (cmd/applets.def), the same
# checks for each: help, bad input (one line, exit 2), the multiplexer's
# own options (--list, --version, --install) and the bash completion.

REGISTRY=$(dirname "${BASH_SOURCE[0]}")/../../cmd/applets.def

registry_modes() {
	sed -n 's/^TT_APPLET(\([a-z0-9_]*\), *\([a-z0-9_]*\),.*/\1 \2/p' "$REGISTRY"
}

# expect_usage_error CMD...: exit 2, nothing on stdout, one line on stderr.
expect_usage_error() {
	local out err rc
	out=$("$@" 2>"$WORK/err")
	rc=$?
	err=$(cat "$WORK/err")
	expect_eq "exit status of '$*'" $rc 2 || return 1
	expect_eq "stdout of '$*'" "$out" "" || return 1
	expect_eq "stderr lines of '$*' ($err)" "$(wc -l <"$WORK/err")" 1 || return 1
	grep -q '^tcptrace' "$WORK/err" || fail "stderr of '$*' does not name tcptrace: $err"
}

t_list_matches_registry() {
	expect_eq "--list" "$("$TT" --list)" "$(registry_modes | cut -d' ' -f1)"
}

t_help_and_version() {
	local out
	out=$("$TT" --help) || return 1
	while read -r mode applet; do
		grep -q "^  $mode " <<<"$out" || fail "--help does not list $mode" || return 1
		grep -q "$applet" <<<"$out" || fail "--help does not name $applet" || return 1
	done < <(registry_modes)
	local arch
	case $(uname -m) in arm64 | aarch64) arch=aarch64 ;; *) arch=$(uname -m) ;; esac
	expect_eq "--version" "$("$TT" --version | sed -E 's/^tcptrace [0-9]+\.[0-9]+\.[0-9]+ //')" \
		"($arch)" || return 1
	"$TT" --version | grep -Eq '^tcptrace [0-9]+\.[0-9]+\.[0-9]+ \(' || fail "--version: $("$TT" --version)"
}

t_mode_help() {
	while read -r mode applet; do
		local out
		out=$("$TT" "$mode" --help) || fail "$mode --help failed" || return 1
		grep -q "^Usage: tcptrace $mode" <<<"$out" || fail "$mode --help usage line" || return 1
		grep -q "^Examples:" <<<"$out" || fail "$mode --help has no examples" || return 1
		grep -q -- "--json" <<<"$out" || fail "$mode --help lacks --json" || return 1
		grep -q -- "--containers " <<<"$out" || fail "$mode --help lacks --containers" ||
			return 1
	done < <(registry_modes)
}

t_bad_input_is_one_line_exit_2() {
	local bad
	while read -r mode applet; do
		for bad in "--bogus" "-Z" "-p" "-p abc" "-p 0" "-u x" "-u -1" "--duration 0" \
			"--duration x" "--attach sideways" "-4 -6" "--json --csv" "extra-arg"; do
			# shellcheck disable=SC2086
			expect_usage_error "$TT" "$mode" $bad || return 1
		done
		expect_usage_error "$TT" "$mode" --cgroup /nonexistent || return 1
		# --container patterns, --host-root
		for bad in "" "a b" "web*" "/pod" "ns/" "a/b/c" "ok,,ok" "x$(printf '\t')y"; do
			expect_usage_error "$TT" "$mode" --container "$bad" || return 1
		done
		expect_usage_error "$TT" "$mode" --host-root / || return 1
		expect_usage_error "$TT" "$mode" --containers --host-root /nonexistent || return 1
		expect_usage_error "$TT" "$mode" --containers --host-root /etc/passwd || return 1
	done < <(registry_modes)
	expect_usage_error "$TT" || return 1
	expect_usage_error "$TT" nosuchmode || return 1
	grep -q "tcptrace --list" "$WORK/err" || fail "unknown mode does not name --list"
}

t_install_creates_links() {
	local dir=$WORK/bin self
	mkdir "$dir"
	self=$(readlink -f "$TT")
	"$TT" --install "$dir" >/dev/null || fail "--install failed" || return 1
	while read -r mode applet; do
		expect_eq "$applet link" "$(readlink "$dir/$applet")" "$self" || return 1
		"$dir/$applet" --help | grep -q "^Usage: tcptrace $mode" || fail "$applet dispatch" ||
			return 1
	done < <(registry_modes)
	# Again: the links are already right.
	"$TT" --install "$dir" >/dev/null || fail "second --install failed" || return 1
	# Another file in the way: reported, exit 1, left alone; --force replaces it.
	local first
	first=$(registry_modes | head -n 1 | cut -d' ' -f2)
	rm "$dir/$first" && echo keep >"$dir/$first"
	"$TT" --install "$dir" >/dev/null 2>"$WORK/err"
	expect_eq "--install over a file" $? 1 || return 1
	grep -q "use --force" "$WORK/err" || fail "no --force hint: $(cat "$WORK/err")" || return 1
	expect_eq "file kept" "$(cat "$dir/$first")" keep || return 1
	"$TT" --install "$dir" --force >/dev/null || fail "--force failed" || return 1
	expect_eq "forced link" "$(readlink "$dir/$first")" "$self" || return 1
	# A directory that does not exist.
	"$TT" --install "$WORK/none" >/dev/null 2>&1
	expect_eq "--install into a missing dir" $? 1 || return 1
	expect_usage_error "$TT" --install "$dir" --bogus
}

# The options a mode's --help lists, one per line (-x and --long), sorted.
help_options() {
	# (the option column: "  -P, --port=PORTS   doc", "  -s   doc", "      --json   doc")
	"$TT" "$1" --help | awk '/^ +-/ { sub(/^ +/, ""); sub(/  .*/, ""); n = split($0, o, ", ")
		for (i = 1; i <= n; i++) { sub(/[=[].*/, "", o[i]); print o[i] } }' | sort
}

# complete WORD...: what the generated completion offers for the last WORD
# (an empty one for "after a space"), sorted, one per line.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_tcptrace; printf "%s\n" "${COMPREPLY[@]}"' bash "$WORK/completion" "$@" | sort
}

t_bash_completion() {
	local mode applet
	"$TT" --completion bash >"$WORK/completion" || fail "--completion bash failed" || return 1
	bash -n "$WORK/completion" || fail "the completion script is not valid bash" || return 1
	# tcptrace and every applet, nothing else.
	expect_eq "complete -p" "$(bash -c 'source "$1"; complete -p' bash "$WORK/completion" | sort)" \
		"$( (echo tcptrace; registry_modes | cut -d' ' -f2) | sed 's/^/complete -F _tcptrace /' |
			sort)" || return 1
	# The first word: the modes and the multiplexer's options.
	expect_eq "tcptrace <TAB>" "$(complete_words tcptrace '' | tr '\n' ' ')" \
		"$( (registry_modes | cut -d' ' -f1; printf '%s\n' --list --install --version --help) |
			sort | tr '\n' ' ')" || return 1
	expect_eq "tcptrace co<TAB>" "$(complete_words tcptrace co)" connect || return 1
	# Every mode, through tcptrace and its applet: exactly the options --help lists.
	while read -r mode applet; do
		help_options "$mode" >"$WORK/help.$mode"
		[ -s "$WORK/help.$mode" ] || fail "no options in $mode --help" || return 1
		expect_eq "tcptrace $mode -<TAB>" "$(complete_words tcptrace "$mode" -)" \
			"$(cat "$WORK/help.$mode")" || return 1
		expect_eq "$applet -<TAB>" "$(complete_words "$applet" -)" "$(cat "$WORK/help.$mode")" ||
			return 1
		expect_eq "$applet --attach <TAB>" "$(complete_words "$applet" --attach '' | tr '\n' ' ')" \
			"auto fentry kprobe tracepoint " || return 1
		expect_eq "$applet --attach=k<TAB>" "$(complete_words "$applet" --attach = k)" kprobe ||
			return 1
		expect_eq "$applet -p <TAB>" "$(complete_words "$applet" -p '')" "" || return 1
	done < <(registry_modes)
	expect_eq "tcpconnect --out<TAB>" "$(complete_words tcpconnect --out)" --outcome || return 1
	mkdir -p "$WORK/cg/sub"
	expect_eq "tcplife --cgroup DIR<TAB>" "$(complete_words tcplife --cgroup "$WORK/cg/s")" \
		"$WORK/cg/sub" || return 1
	expect_eq "tcptrace --install --f<TAB>" "$(complete_words tcptrace --install --f)" --force ||
		return 1
	expect_usage_error "$TT" --completion zsh || return 1
	expect_usage_error "$TT" --completion
}
