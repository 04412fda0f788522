#!/bin/bash
# man.sh MANDIR TAPVM TAPD HELPER - every manual page renders without a
# warning, and every option and command the programs' --help lists is in
# its page.
set -u
dir=$1 tapvm=$2 tapd=$3 helper=$4
passed=0 failed=0
command -v man >/dev/null || { echo "1..0 # SKIP man (man-db) is missing"; exit 0; }

check() {
	local desc=$1
	shift
	if "$@"; then
		echo "ok - $desc"; passed=$((passed + 1))
	else
		echo "not ok - $desc"; failed=$((failed + 1))
	fi
}

# The page's words, with roff's escapes and fonts taken out.
words() { sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\&//g' "$dir/$1"; }

# in_page PAGE WORD...: each WORD is in PAGE as a word of its own.
in_page() {
	local page=$1 w missing=
	shift
	for w in "$@"; do
		words "$page" | grep -qE -- "(^|[^a-z0-9-])$w([^a-z0-9-]|\$)" || missing="$missing $w"
	done
	[ -z "$missing" ] || echo "# $page lacks:$missing"
	[ -z "$missing" ]
}

options_of() { "$@" --help | grep -oE -- '(^|[ ,|[])--?[a-zA-Z][a-z0-9-]*' | grep -oE -- '--?[a-zA-Z][a-z0-9-]*' | sort -u; }

for page in tapvm.1 tapd.8 tapd.conf.5 tapd-bridge-helper.8 tapd-ovsdb-access.8; do
	check "$page exists" test -s "$dir/$page" || continue
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$dir/$page" 2>&1 >/dev/null)
	check "$page renders without warnings" test -z "$out"
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
done

# SEE ALSO names pages that exist: ours, or one on this system (Debian's
# names: qemu-system(1), not qemu-system-x86_64(1); no qemu-bridge-helper(8)).
see_also_ok() {
	local page=$1 ref missing=
	for ref in $(words "$page" | sed -n '/^\.SH SEE ALSO/,/^\.SH/p' | grep -oE '[a-z][a-z0-9_.-]*\([0-9]\)'); do
		local name=${ref%(*} sec=${ref#*(}
		sec=${sec%)}
		[ -e "$dir/$name.$sec" ] || man -w "$sec" "$name" >/dev/null 2>&1 || missing="$missing $ref"
	done
	[ -z "$missing" ] || echo "# $page names pages that are not there:$missing"
	[ -z "$missing" ]
}
for page in tapvm.1 tapd.8 tapd.conf.5 tapd-bridge-helper.8 tapd-ovsdb-access.8; do
	check "$page: SEE ALSO names pages that exist" see_also_ok "$page"
done
# A shell line continued with \ keeps its backslash (scdoc needs \\).
check "tapd-bridge-helper(8)'s QEMU example keeps its line continuation" \
	sh -c "LC_ALL=C.UTF-8 MANWIDTH=200 man -l '$dir/tapd-bridge-helper.8' 2>/dev/null | grep -q 'tapd-bridge-helper \\\\\$'"
check "tapd(8) has every option of tapd --help" in_page tapd.8 $(options_of "$tapd")
check "tapd-bridge-helper(8) has every option of its --help" \
	in_page tapd-bridge-helper.8 $(options_of "$helper")
# The rule keys, as tapd's parser names them when one is unknown (from
# the per-port options' table, tapd/shared/portopt.c): each in tapd.conf(5).
# tapd reads only a policy root owns in directories only root may write:
# one in the build tree, where the tests run as root.
if [ "$(id -u)" = 0 ]; then
	conf=$(mktemp -d "$dir/keys.XXXXXX")
	chmod 755 "$conf"
	echo "allow all br0 tapvm-no-such-key=1" >"$conf/tapd.conf"
	keys=$("$tapd" --check --config "$conf/tapd.conf" 2>&1 |
		sed -n "s/.*unknown rule option 'tapvm-no-such-key' (\(.*\))\$/\1/p" | tr -d ,)
	rm -rf "$conf"
	check "tapd's parser names its rule keys" test -n "$keys"
	check "tapd.conf(5) has every rule key" in_page tapd.conf.5 $keys
else
	echo "# not root: tapd reads no policy of ours, the rule keys are not checked"
fi
cmds=$("$tapvm" help | awk '/^  [a-z]/ { print $1 }')
check "tapvm(1) has every command" in_page tapvm.1 $cmds
for c in $cmds; do
	[ "$c" = help ] && continue
	check "tapvm(1) has every option of tapvm $c --help" in_page tapvm.1 $(options_of "$tapvm" "$c")
done
check "tapvm(1) has every exit status of tapvm help" \
	in_page tapvm.1 $("$tapvm" help | awk '/^ +[0-9]+  / { print $1 }')

echo "1..$((passed + failed))"
echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
