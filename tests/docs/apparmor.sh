#!/bin/bash
# apparmor.sh ABSTRACTION - the AppArmor abstraction that lets libvirt's
# daemons run tapd-bridge-helper compiles inside Debian's own libvirtd
# profile (from libvirt-daemon-system, downloaded with apt-get download:
# installing it would start daemons), included as its local file says, and
# gives the helper a child profile. This kernel may have no AppArmor: the
# profile is then compiled (apparmor_parser -Q), not loaded, and that is said.
set -u
abstraction=$1
passed=0 failed=0
check() {
	local desc=$1
	shift
	if "$@"; then echo "ok - $desc"; passed=$((passed + 1)); else echo "not ok - $desc"; failed=$((failed + 1)); fi
}
command -v apparmor_parser >/dev/null || { echo "1..0 # SKIP apparmor_parser is missing (package apparmor)"; exit 0; }
[ -d /etc/apparmor.d/abstractions ] || { echo "1..0 # SKIP /etc/apparmor.d has no abstractions (package apparmor)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download libvirt-daemon-system >/dev/null 2>&1); then
	echo "1..0 # SKIP cannot download libvirt-daemon-system (apt-get download), whose libvirtd profile this needs"
	exit 0
fi
dpkg -x "$tmp"/libvirt-daemon-system_*.deb "$tmp/deb"
base=$tmp/apparmor.d
mkdir -p "$base"
cp -r /etc/apparmor.d/. "$base/"
cp -r "$tmp/deb/etc/apparmor.d/." "$base/"
cp "$abstraction" "$base/abstractions/tapd-bridge-helper"
mkdir -p "$base/local"
# What the abstraction's own comment tells the admin to do.
cmd=$(sed -n 's/^#   echo \(.*\) | \\$/\1/p' "$abstraction")
check "the abstraction says how to include it" test "$cmd" = "'#include <abstractions/tapd-bridge-helper>'"
echo '#include <abstractions/tapd-bridge-helper>' >>"$base/local/usr.sbin.libvirtd"
out=$(apparmor_parser -Q -K -b "$base" "$base/usr.sbin.libvirtd" 2>&1 | grep -v 'Cache read/write disabled')
check "libvirtd's profile with it compiles (apparmor_parser)" test -z "$out"
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
pre=$(apparmor_parser -p -b "$base" "$base/usr.sbin.libvirtd" 2>/dev/null)
helper=$(sed -n 's/^ *\(\/[^ ]*\) Cx -> tapd_bridge_helper,$/\1/p' "$abstraction")
check "... letting libvirtd run $helper in a child profile" grep -q "^ *$helper Cx -> tapd_bridge_helper," <<<"$pre"
check "... which may reach tapd's socket" grep -q "^ *profile tapd_bridge_helper {" <<<"$pre"
child=$(sed -n '/^ *profile tapd_bridge_helper {/,/^  }/p' <<<"$pre")
check "... and whose profile grants no capability" test -n "$child" -a "$(grep -c '^ *capability' <<<"$child")" = 0
echo "bogus rule" >>"$base/abstractions/tapd-bridge-helper"
check "(the parser does read it: a broken line fails)" sh -c "! apparmor_parser -Q -K -b '$base' '$base/usr.sbin.libvirtd' >/dev/null 2>&1"
if [ -d /sys/kernel/security/apparmor ]; then
	echo "# this kernel has AppArmor; the profile is compiled here, not loaded: loading it is the admin's step"
else
	echo "# this kernel has no AppArmor: the profile is compiled, it cannot be loaded here"
fi
echo "1..$((passed + failed))"
echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
