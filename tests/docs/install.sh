#!/bin/bash
# install.sh BUILDDIR man|no-man - `meson install` into a DESTDIR puts every
# file under the configured prefix (systemd's unit directory from
# systemd.pc aside), the manual pages exactly when the build makes them,
# and the units name the installed tapd.
set -u
build=$1
man=${2:?usage: install.sh BUILDDIR man|no-man}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {
	local desc=$1
	shift
	if "$@"; then echo "ok - $desc"; passed=$((passed + 1)); else echo "not ok - $desc"; failed=$((failed + 1)); fi
}
opt() { meson introspect --buildoptions "$build" | python3 -c "import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'][0])"; }
prefix=$(opt prefix)
sbindir=$(opt sbindir) bindir=$(opt bindir) libexecdir=$(opt libexecdir) mandir=$(opt mandir)

check "meson install --destdir succeeds" sh -c "meson install -C '$build' --no-rebuild --quiet --destdir '$tmp' >/dev/null"
for f in "$sbindir/tapd" "$bindir/tapvm" "$bindir/xkvm" "$libexecdir/tapd-bridge-helper" \
	lib/sysusers.d/tapd.conf lib/tmpfiles.d/tapd.conf share/bash-completion/completions/tapvm \
	"$(opt sysconfdir)/apparmor.d/abstractions/tapd-bridge-helper"; do
	check "$prefix/$f is installed" test -e "$tmp$prefix/$f"
done
check "tapd-bridge-helper is installed without setuid or setgid" \
	test "$(stat -c %a "$tmp$prefix/$libexecdir/tapd-bridge-helper")" = 755
if [ "$man" = man ]; then
	for f in man1/tapvm.1 man1/xkvm.1 man5/tapd.conf.5 man8/tapd.8 man8/tapd-bridge-helper.8; do
		check "$prefix/$mandir/$f is installed" test -e "$tmp$prefix/$mandir/$f"
	done
else
	check "no manual page is installed (-Dman=disabled, or no scdoc)" \
		test -z "$(find "$tmp" -path '*/man/*' -type f)"
fi
unit=$(find "$tmp" -name tapd.service)
check "tapd.service is installed" test -n "$unit"
check "... and runs $prefix/$sbindir/tapd" grep -q "^ExecStart=$prefix/$sbindir/tapd " "$unit"
outside=$(cd "$tmp" && find . -type f -o -type l | grep -v "^\.$prefix/" | grep -v "^\./lib/systemd/system/\|^\./usr/lib/systemd/system/")
check "nothing outside the prefix but the units" test -z "$outside"
[ -z "$outside" ] || echo "$outside" | sed 's/^/# /'
echo "1..$((passed + failed))"
echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
