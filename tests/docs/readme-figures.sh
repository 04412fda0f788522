#!/bin/bash
# readme-figures.sh SRCDIR - the README's line counts match the tree (±10%),
# and every tapvm exit status in launcher/exitcode.h is in the README table.
set -u
src=${1:?usage: readme-figures.sh SRCDIR}
readme=$src/README.md
passed=0
failed=0
check_count() {
	local what=$1 claimed=$2 actual=$3
	if [ -z "$claimed" ]; then
		echo "not ok - README states no line count for $what"
		failed=$((failed + 1))
	elif [ $((actual * 10)) -ge $((claimed * 9)) ] && [ $((actual * 10)) -le $((claimed * 11)) ]; then
		echo "ok - README's $claimed lines for $what is within 10% of $actual"
		passed=$((passed + 1))
	else
		echo "not ok - README says $what is $claimed lines; it is $actual: update README.md"
		failed=$((failed + 1))
	fi
}
text=$(tr '\n' ' ' <"$readme")
claimed=$(sed -n 's/.*tapd\/ without priv\/ and shared\/, is \([0-9,]*\) lines.*/\1/p' <<<"$text" | tr -d ,)
check_count "tapd/ without priv/ and shared/" "$claimed" "$(cat "$src"/tapd/*.[ch] | wc -l)"
# The back and the code both halves run: lines of code as cloc counts them
# (scripts/deps installs cloc). The back's own must stay at most 1,000;
# its Open vSwitch database client (priv/ovsdb.c) is counted on its own.
for dir in priv shared; do
	claimed=$(sed -n "s/.*tapd\/$dir\/, [^0-9]* is \([0-9,]*\) lines of code.*/\1/p;s/.*tapd\/$dir\/, \([0-9,]*\) lines of code.*/\1/p" <<<"$text" | head -1 | tr -d ,)
	if ! command -v cloc >/dev/null; then
		echo "not ok - cloc is missing (scripts/deps installs it): cannot count tapd/$dir/"
		failed=$((failed + 1))
		continue
	fi
	actual=$(cloc --quiet --csv --not-match-f='^ovsdb\.[ch]$' "$src/tapd/$dir" | awk -F, '$2 == "SUM" {print $5}')
	check_count "tapd/$dir/ (cloc)" "$claimed" "$actual"
	if [ "$dir" = priv ] && [ "$actual" -gt 1000 ]; then
		echo "not ok - tapd/priv/ is $actual lines of code: the back's own code is to stay at most 1,000"
		failed=$((failed + 1))
	fi
done
claimed=$(sed -n 's/.*its Open vSwitch database client, \([0-9,]*\) lines of code.*/\1/p' <<<"$text" | tr -d ,)
command -v cloc >/dev/null &&
	check_count "tapd/priv/ovsdb.[ch] (cloc)" "$claimed" \
		"$(cloc --quiet --csv "$src/tapd/priv/ovsdb.c" "$src/tapd/priv/ovsdb.h" | awk -F, '$2 == "SUM" {print $5}')"
claimed=$(sed -n 's/.*plus the \([0-9,]*\) lines of.*/\1/p' <<<"$text" | tr -d ,)
check_count "common/proto.c, wire.c and names.c" "$claimed" "$(cat "$src"/common/proto.c "$src"/common/wire.c "$src"/common/names.c | wc -l)"
for code in $(sed -n 's/^\s*EXIT_[A-Z]*\s*=\s*\([0-9]*\),.*/\1/p' "$src/launcher/exitcode.h"); do
	if grep -q "^| $code |" "$readme"; then
		echo "ok - exit status $code is in README's table"
		passed=$((passed + 1))
	else
		echo "not ok - exit status $code is not in README's table"
		failed=$((failed + 1))
	fi
done
echo "1..$((passed + failed))"
echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
