#!/bin/bash
# priv.sh - what the front could ask of the back were it taken over: the
# real back (forked as tapd forks it, CAP_NET_ADMIN alone, its seccomp
# filter on) against every wrong size, verb, field, fd and deletion
# (tests/helpers/priv-probe.c); then what is left on the host.
. "$(dirname "$0")/lib.sh"
setup priv
[ -n "${PRIV_PROBE:-}" ] || bail "PRIV_PROBE must name tests/helpers/priv-probe"
nsx ip link add br0 type bridge
nsx ip link set br0 up
nsx ip link add ve0 type veth peer name ve1
out=$(nsx "$PRIV_PROBE" "$TAPD_UID" br0 ve0 ve1 2>&1)
echo "$out" | sed 's/^/# probe: /'
while read -r line; do
	case $line in
	"ok "*) ok "back: ${line#ok * - }" ;;
	"not ok "*) not_ok "back: ${line#not ok * - }" ;;
	esac
done <<<"$out"
check "the probe ran to its end" grep -q '^1\.\.' <<<"$out"
check "br0, ve0 and ve1 are still there" sh -c "ip netns exec $NS ip link show ve1 >/dev/null"
check "... br0 too" sh -c "ip netns exec $NS ip link show br0 >/dev/null"
check "no tap of the probe's is left" wait_for 30 sh -c "! ip netns exec $NS ip -o link | grep -q 'tapd\|tdp'"
finish
