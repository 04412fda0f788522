#!/bin/bash
# unit-score.sh UNIT - systemd's exposure score for tapd.service is 1.5 or
# lower (systemd's own networkd scores 2.8 on the same scale).
set -u
unit=${1:?usage: unit-score.sh UNIT}
command -v systemd-analyze >/dev/null || { echo "1..0 # SKIP systemd-analyze is missing (package systemd)"; exit 0; }
line=$(systemd-analyze security --offline=yes "$unit" 2>&1 | grep "Overall exposure level")
score=$(sed -n 's/.*: \([0-9.]*\) .*/\1/p' <<<"$line")
echo "# $line"
echo "1..1"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }'; then
	echo "ok - tapd.service scores $score, 1.5 or lower"
else
	echo "not ok - tapd.service scores '$score', more than 1.5"
	exit 1
fi
