#!/bin/bash
# tests/fuzz/run.sh [SECONDS] - build the libFuzzer harnesses with clang
# (ASan and UBSan) and run each for SECONDS (default 60) from the committed
# seed corpus. Any crash, leak or sanitizer report fails it.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
CLANG=$(command -v clang-14 || command -v clang || true)
[ -n "$CLANG" ] || { echo "tests/fuzz/run.sh: clang is missing (apt install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
out=build-fuzz
mkdir -p "$out"
CFLAGS=(-g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -Icommon -Itapd -Itapd/priv -Itapd/shared $(pkg-config --cflags libnl-3.0))
"$CLANG" "${CFLAGS[@]}" tests/fuzz/fuzz_proto.c common/proto.c common/names.c \
	$(pkg-config --libs libnl-3.0) -o "$out/fuzz_proto"
"$CLANG" "${CFLAGS[@]}" tests/fuzz/fuzz_policy.c tapd/policy.c tapd/subid.c tapd/shared/portopt.c common/names.c \
	-o "$out/fuzz_policy"

failed=0
for h in proto policy; do
	work=$out/corpus-$h
	rm -rf "$work" && mkdir -p "$work"
	echo "fuzzing the $h decoder for ${secs}s"
	if "$out/fuzz_$h" -max_total_time="$secs" -max_len=4096 -timeout=10 \
		-artifact_prefix="$out/$h-" "$work" "tests/fuzz/corpus/$h" \
		>"$out/$h.log" 2>&1; then
		echo "ok - fuzz_$h: $(grep -o 'Done [0-9]* runs' "$out/$h.log" | tail -1), no finding"
	else
		echo "not ok - fuzz_$h found something: see below and $out/$h-*"
		tail -40 "$out/$h.log"
		failed=$((failed + 1))
	fi
done
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" = 0 ]
