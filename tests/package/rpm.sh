#!/bin/bash
# tests/package/rpm.sh OUTDIR - the RPM packages (packaging/rpm/tapvm.spec)
# build with rpmbuild from the upstream tarball scripts/package made in
# OUTDIR, and hold the same files as the Debian packages there: units,
# sysusers.d and tmpfiles.d entries, the policy as a config file, the
# AppArmor abstraction, man pages, completion, documents. Debian's own
# files (changelog.Debian, copyright, lintian overrides) and RPM's
# (.build-id links) aside; /lib is /usr/lib (Debian 12 puts units there);
# compression aside. The BuildRequires are Fedora's names: --nodeps here.
# Prints "ok - ..." / "not ok - ..." lines and ends "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/package/rpm.sh OUTDIR}
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }
command -v rpmbuild >/dev/null || { echo "# SKIP rpmbuild is missing (package rpm)"; finish; }
version=$(sed -n "s/^  version : '\(.*\)',$/\1/p" meson.build)
spec_version=$(sed -n 's/^Version: *//p' packaging/rpm/tapvm.spec)
[ "$spec_version" = "$version" ] && ok "the spec's Version is meson's ($version)" ||
	not_ok "the spec's Version ($spec_version) is not meson's ($version)"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top/SOURCES"
cp "$out/tapvm_$version.orig.tar.xz" "$top/SOURCES/tapvm-$version.tar.xz" || { not_ok "no $out/tapvm_$version.orig.tar.xz (scripts/package)"; finish; }
if rpmbuild -bb --nodeps --define "_topdir $top" --define 'debug_package %{nil}' \
	packaging/rpm/tapvm.spec >"$out/rpmbuild.log" 2>&1; then
	ok "rpmbuild builds the tapd and tapvm RPMs (unit tests in %check)"
else
	tail -20 "$out/rpmbuild.log" | sed 's/^/# /'
	not_ok "rpmbuild failed: see $out/rpmbuild.log"
	finish
fi
deb_files() {
	dpkg -c "$1" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|; s|^/lib/|/usr/lib/|; s|\.gz$||' |
		grep -Ev '^/usr/share/(doc/[^/]*/(changelog\.Debian|copyright)|lintian/)' | sort
}
rpm_files() {
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$1" 2>/dev/null | awk '$1 !~ /^d/ { print $2 }' |
		sed 's|\.gz$||' | grep -v '^/usr/lib/\.build-id/' | sort
}
for p in tapd tapvm; do
	d=$(deb_files "$out/${p}_$version-1_"*.deb)
	r=$(rpm_files "$top"/RPMS/*/"$p-$version"-*.rpm)
	if [ -n "$d" ] && [ "$d" = "$r" ]; then
		ok "$p: the RPM's files are the .deb's ($(wc -l <<<"$d") files)"
	else
		diff <(echo "$d") <(echo "$r") | sed 's/^/# deb<  >rpm: /'
		not_ok "$p: the RPM's files differ from the .deb's"
	fi
done
conf=$(rpm -qp --qf '[%{FILEFLAGS:fflags}|%{FILENAMES}\n]' "$top"/RPMS/*/tapd-"$version"-*.rpm 2>/dev/null |
	awk -F'|' '$1 ~ /c/ { print $2 }' | paste -sd' ')
[ "$conf" = "/etc/apparmor.d/abstractions/tapd-bridge-helper /etc/tapd/tapd.conf" ] &&
	ok "the policy and the AppArmor abstraction are config files, as the .deb's conffiles" ||
	not_ok "the RPM's config files are '$conf'"
finish
