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
claimed=$(sed -n 's/.*tapd\/ without priv\/, is \([0-9,]*\) lines.*/\1/p' <<<"$text" | tr -d ,)
check_count "tapd/ without priv/" "$claimed" "$(cat "$src"/tapd/*.[ch] | wc -l)"
# The back: lines of code as cloc counts them (scripts/deps installs cloc).
claimed=$(sed -n 's/.*tapd\/priv\/, the only code that runs with `CAP_NET_ADMIN`, is \([0-9,]*\) lines of code.*/\1/p' <<<"$text" | tr -d ,)
if command -v cloc >/dev/null; then
	check_count "tapd/priv/ (cloc)" "$claimed" \
		"$(cloc --quiet --csv "$src/tapd/priv" | awk -F, '$2 == "SUM" {print $5}')"
else
	echo "not ok - cloc is missing (scripts/deps installs it): cannot count tapd/priv/"
	failed=$((failed + 1))
fi
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
