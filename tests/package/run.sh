#!/bin/bash
# tests/package/run.sh [OUTDIR] - the Debian packages: built (scripts/package,
# which runs the unit tests inside dpkg-buildpackage; a 3.0 (quilt) source
# package too), checked with lintian --pedantic, the RPMs built from the same
# tarball with the same files (rpm.sh), installed with dpkg -i,
# smoke-tested as installed (smoke.sh), then purged: the machine is left as
# it was found (no tapd or tapvm package, no tapd user, tapd or kvm group it
# did not have, no /run/tapd, no tapd running).
#
# A machine that has tapd or tapvm installed already is not touched: the
# packages are built, and the install and smoke test are skipped, saying why.
# Prints "ok - ..." / "not ok - ..." lines and ends "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-deb}
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

# A directory the script did not make is never emptied (scripts/package ~).
keep=$(mktemp -d)
echo precious >"$keep/file"
if ! scripts/package "$keep" >/dev/null 2>&1 && [ "$(cat "$keep/file")" = precious ]; then
	ok "scripts/package refuses a directory it did not make, leaving it as it was"
else
	not_ok "scripts/package emptied or used a directory it did not make"
fi
rm -rf "$keep"

if scripts/package "$out" >/dev/null; then
	ok "the tapd and tapvm packages build (dpkg-buildpackage, unit tests inside)"
else
	not_ok "the packages do not build: see $out/build.log"
	finish
fi

check_dsc() { grep -qx 'Format: 3.0 (quilt)' "$out"/tapvm_*.dsc && ls "$out"/tapvm_*.orig.tar.xz "$out"/tapvm_*.debian.tar.xz >/dev/null; }
if check_dsc; then
	ok "the source package builds: 3.0 (quilt), an .orig.tar.xz and a -1 revision's debian.tar.xz"
else
	not_ok "no 3.0 (quilt) source package in $out"
fi
if command -v lintian >/dev/null; then
	if lintian --pedantic --fail-on error,warning "$out"/*.changes >"$out/lintian.log" 2>&1; then
		ok "lintian --pedantic: no error or warning"
	else
		grep -E '^[EW]: ' "$out/lintian.log" | sed 's/^/# /'
		not_ok "lintian --pedantic reports errors or warnings: see $out/lintian.log"
	fi
else
	echo "# SKIP lintian is not installed: the packages are not checked with it"
fi
# The RPMs (Fedora, openSUSE): built from the same tarball, the same files.
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "rpm: ${line#ok - }" ;;
	"not ok - "*) not_ok "rpm: ${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	esac
done < <(tests/package/rpm.sh "$out")

installed=$(dpkg-query -W -f='${Package} ${Status}\n' tapd tapvm tapd-qemu-bridge-helper 2>/dev/null | grep ' installed$' | cut -d' ' -f1 | paste -sd' ')
if [ -n "$installed" ]; then
	echo "# SKIP install and smoke test: this machine has $installed installed, which the test would replace and purge"
	finish
fi

# What the packages' scripts create, if it is not there now, goes at the end.
had_user=$(getent passwd tapd || true)
had_group=$(getent group tapd || true)
had_kvm=$(getent group kvm || true)
had_run=$([ -e /run/tapd ] && echo yes || true)
restore() {
	pkill -x tapd -U tapd 2>/dev/null
	dpkg --purge tapd-qemu-bridge-helper tapd tapvm >>"$out/install.log" 2>&1
	[ -n "$had_user" ] || ! getent passwd tapd >/dev/null || userdel tapd
	[ -n "$had_group" ] || ! getent group tapd >/dev/null || groupdel tapd
	[ -n "$had_kvm" ] || ! getent group kvm >/dev/null || groupdel kvm
	[ -n "$had_run" ] || rm -rf /run/tapd
}
trap restore EXIT

# QEMU's own helper, as it is before tapd-qemu-bridge-helper diverts it.
qbh=/usr/lib/qemu/qemu-bridge-helper
qbh_sum=$(sha256sum "$qbh" 2>/dev/null | cut -d' ' -f1)
if dpkg -i "$out"/tapd_*.deb "$out"/tapvm_*.deb "$out"/tapd-qemu-bridge-helper_*.deb \
	>"$out/install.log" 2>&1; then
	ok "the packages install (dpkg -i)"
else
	tail -20 "$out/install.log" | sed 's/^/# /'
	not_ok "the packages do not install: see $out/install.log"
	finish
fi
if tests/package/smoke.sh >"$out/smoke.log" 2>&1; then
	ok "the installed packages work ($(tail -1 "$out/smoke.log"))"
else
	grep -E '^(not ok|run:|tapd.log:)' "$out/smoke.log" | tail -40 | sed 's/^/# /'
	not_ok "the installed packages fail their smoke test: see $out/smoke.log"
fi
# The autopkgtest (debian/tests) as a distribution's CI runs it, here on this
# machine (the null runner): it runs smoke.sh from the unpacked source.
if command -v autopkgtest >/dev/null; then
	if autopkgtest "$out"/tapvm_*.dsc "$out"/tapd_*.deb "$out"/tapvm_*.deb \
		"$out"/tapd-qemu-bridge-helper_*.deb -- null >"$out/autopkgtest.log" 2>&1 &&
		grep -Eq '^smoke +PASS' "$out/autopkgtest.log"; then
		ok "autopkgtest (debian/tests/smoke, null runner): PASS"
	else
		grep -E '^(not ok|smoke )' "$out/autopkgtest.log" | tail -20 | sed 's/^/# /'
		not_ok "autopkgtest failed: see $out/autopkgtest.log"
	fi
else
	echo "# SKIP autopkgtest is not installed: debian/tests is not run"
fi

# Removing the diversion package puts QEMU's helper back, as it was.
dpkg -r tapd-qemu-bridge-helper >>"$out/install.log" 2>&1
if [ -z "$(dpkg-divert --list "$qbh")" ] && [ ! -L "$qbh" ] &&
	{ [ -z "$qbh_sum" ] || [ "$(sha256sum "$qbh" | cut -d' ' -f1)" = "$qbh_sum" ]; }; then
	ok "removing tapd-qemu-bridge-helper restores QEMU's $qbh and its diversion is gone"
else
	not_ok "after removing tapd-qemu-bridge-helper, $qbh is not QEMU's again ($(ls -l "$qbh" 2>&1); $(dpkg-divert --list "$qbh"))"
fi
restore
trap - EXIT
left=$(dpkg-query -W -f='${Package} ${Status}\n' tapd tapvm tapd-qemu-bridge-helper 2>/dev/null | grep -v ' not-installed$' | cut -d' ' -f1 | paste -sd' ')
check_left() {
	[ -z "$left" ] && ! pgrep -x -u tapd tapd >/dev/null 2>&1 &&
		{ [ -n "$had_user" ] || ! getent passwd tapd >/dev/null; } &&
		{ [ -n "$had_kvm" ] || ! getent group kvm >/dev/null; }
}
if check_left; then
	ok "purged: no tapd or tapvm package, tapd user, kvm group it made or tapd process is left"
else
	not_ok "the machine is not as it was: packages '$left', tapd user '$(getent passwd tapd)', tapd pids '$(pgrep -x -u tapd tapd 2>/dev/null | paste -sd' ')'"
fi
finish
