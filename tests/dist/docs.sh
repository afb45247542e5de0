#!/bin/bash
# TAP: the generated man pages and shell completion name every verb and every option of the command line.
# The verbs and options are read back two independent ways: from `rkt help` (which prints the tables the
# parser uses) and from the option tables in src/cli/*.c, so a generator that skips something fails here.
set -uo pipefail
src=${abs_top_srcdir:?} build=${abs_top_builddir:?}
rkt=$build/rkt man=$build/man bash_c=$build/dist/completion/rkt zsh_c=$build/dist/completion/_rkt
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

# The options of `rkt help PATH...`: the "--name" of each line of one section.
help_options() { # SECTION PATH...
	local sec=$1
	shift
	"$rkt" help "$@" | awk -v s="$sec:" '$0 == s { on = 1; next } /^[A-Z ]+:$/ { on = 0 } on' |
		grep -oE '^ +(-[a-z], )?--[a-z0-9-]+' | sed 's/.*--//'
}
# Verb paths: "image list" etc., from the COMMANDS sections of `rkt help`.
verbs() { # PATH...
	local v
	for v in $("$rkt" help "$@" | awk '/^COMMANDS:$/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'); do
		echo "$* $v" | sed 's/^ //'
		verbs "$@" "$v"
	done
}

# The flags the completion has for a path (bash: _rkt_flags["rkt PATH"]="…").
completion_flags() { # FILE KEY
	grep -F "_rkt_flags[\"$2\"]=" "$1" | head -1
}

[ -x "$rkt" ] && [ -f "$man/rkt.1" ] && [ -f "$bash_c" ] && [ -f "$zsh_c" ] ||
	{ echo "1..0 # SKIP rkt, man/ or dist/completion/ not built"; exit 0; }
mapfile -t paths < <(verbs)
echo "1..$(( ${#paths[@]} + 5 ))"

for p in "${paths[@]}"; do
	page=$man/rkt-${p// /-}.1 missing=()
	[ -f "$page" ] || missing+=("no man page $page")
	for c in "$bash_c" "$zsh_c"; do
		grep -qF "_rkt_flags[\"rkt $p\"]=" "$c" || missing+=("$(basename "$c"): no entry for 'rkt $p'")
	done
	for o in $(help_options OPTIONS $p); do
		grep -qF -- "\\-\\-${o//-/\\-}" "$page" 2>/dev/null || missing+=("--$o not in $(basename "$page")")
		for c in "$bash_c" "$zsh_c"; do
			completion_flags "$c" "rkt $p" | grep -qE -- "[ \"]--$o=?[ \"]" ||
				missing+=("--$o not in $(basename "$c") for 'rkt $p'")
		done
	done
	if [ ${#missing[@]} -eq 0 ]; then ok "rkt $p: man page and completion have its options"; else
		not_ok "rkt $p: man page and completion have its options" "${missing[@]}"; fi
done

missing=()
for o in $(help_options "GLOBAL OPTIONS"); do
	grep -qF -- "\\-\\-${o//-/\\-}" "$man/rkt.1" || missing+=("--$o not in rkt.1")
	for c in "$bash_c" "$zsh_c"; do
		completion_flags "$c" "-" | grep -qE -- "[ \"]--$o=?[ \"]" || missing+=("--$o not in $(basename "$c")")
	done
done
if [ ${#missing[@]} -eq 0 ]; then ok "global options in rkt(1) and completion"; else
	not_ok "global options in rkt(1) and completion" "${missing[@]}"; fi

# Every option of every table in the sources (the app flags of run/prepare included).
missing=()
mapfile -t all < <(sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z0-9-]*\)",[[:space:]]*\(0\|'"'"'.'"'"'\),.*/\1/p' \
	"$src"/src/cli/*.c | sort -u)
for o in "${all[@]}"; do
	grep -qlF -- "\\fB\\-\\-${o//-/\\-}\\fR" "$man"/*.1 >/dev/null || missing+=("--$o in no man page")
	for c in "$bash_c" "$zsh_c"; do
		grep -qE -- "[ \"]--$o=?[ \"]" "$c" || missing+=("--$o not in $(basename "$c")")
	done
done
if [ ${#all[@]} -gt 40 ] && [ ${#missing[@]} -eq 0 ]; then ok "all ${#all[@]} options of src/cli/*.c are documented and completed"; else
	not_ok "all options of src/cli/*.c are documented and completed" "${#all[@]} found" "${missing[@]}"; fi

# The man pages format without warnings (what lintian checks).
warn=$(for f in "$man"/*.1; do LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" 2>&1 >/dev/null; done)
if [ -z "$warn" ]; then ok "man pages format without groff warnings"; else
	not_ok "man pages format without groff warnings" "$warn"; fi
# The scripts parse, and bash completes through them.
if out=$(bash -c 'source "$1" && COMP_WORDS=(rkt image list --format=); COMP_CWORD=3; _rkt && echo "${COMPREPLY[*]}"' _ "$bash_c" 2>&1) &&
	[ "$out" = "json json-pretty" ]; then ok "bash: 'rkt image list --format=<TAB>' offers json json-pretty"; else
	not_ok "bash: 'rkt image list --format=<TAB>' offers json json-pretty" "$out"; fi
if ! command -v zsh >/dev/null; then echo "ok $((n += 1)) # SKIP zsh is not installed (dist/scripts/install-deps.sh installs it)"
elif out=$(zsh -n "$zsh_c" 2>&1); then ok "zsh -n _rkt"; else not_ok "zsh -n _rkt" "$out"; fi
exit 0
