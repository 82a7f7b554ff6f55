#!/usr/bin/env bash
# CI check of the Debian package (docs/systemd.md): builds it from .build/release
# (scripts/package-deb.sh), runs lintian (no errors), unpacks it into an empty directory and
# runs the daemon from there without the Swift toolchain, renders both man pages without
# warnings, and checks the systemd units with `systemd-analyze verify` and
# `systemd-analyze security` (exposure at most 2.0). .ci/run calls it after
# scripts/check-newcomer-path.sh, whose release build it reuses.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d /tmp/a2al-check-package-XXXXXX)
pid=""
cleanup() {
    [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "check-package: $*" >&2; exit 1; }

[ -x .build/release/a2ald ] || scripts/setup.sh
deb=$(scripts/package-deb.sh "$tmp/out")
echo "check-package: built $deb ($(du -k "$deb" | cut -f1) KiB)"

# lintian: errors fail the check; warnings are printed. The package has none today and no
# overrides; an override would go in /usr/share/lintian/overrides/a2al with its reason.
# (As root, lintian notes that running as root is not recommended; CI runs as root.)
lintian --fail-on error --tag-display-limit 0 "$deb" || fail "lintian reported errors"

root="$tmp/root"
mkdir "$root"
dpkg-deb -x "$deb" "$root"
for exe in a2ald a2al-cli; do
    [ -x "$root/usr/bin/$exe" ] || fail "/usr/bin/$exe is not in the package"
    if ldd "$root/usr/bin/$exe" | grep -E 'libswift|libFoundation\.so|/opt/swift|not found'; then
        fail "$exe needs the Swift toolchain's libraries (above)"
    fi
done

# Run from the unpacked package with no Swift anywhere on the search paths; where a mount
# namespace is allowed, the toolchain directory is also hidden outright.
clean_env=(env -i "PATH=/usr/bin:/bin" "LD_LIBRARY_PATH=" "HOME=$tmp")
hide_toolchain=()
if [ -d /opt/swift ] && unshare -m true 2>/dev/null; then
    hide_toolchain=(unshare -m sh -c 'mount -t tmpfs none /opt/swift && exec "$0" "$@"')
    echo "check-package: running the packaged binaries with /opt/swift hidden (empty tmpfs over it)"
fi
version=$("${hide_toolchain[@]}" "${clean_env[@]}" "$root/usr/bin/a2ald" --version) || fail "a2ald --version failed"
echo "check-package: a2ald --version: $version"

sock="$tmp/a2al.sock"
mkdir -m 0700 "$tmp/data"
"${hide_toolchain[@]}" "${clean_env[@]}" "$root/usr/bin/a2ald" --config "$root/etc/a2al/a2ald.json" \
    --data-dir "$tmp/data" --socket "$sock" --listen 127.0.0.1:0 2>"$tmp/daemon.log" &
pid=$!
deadline=$((SECONDS + 30))
until [ -S "$sock" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/daemon.log" >&2; fail "the packaged a2ald exited before its socket appeared"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "no socket at $sock after 30 s"
    sleep 0.2
done
info=$("${hide_toolchain[@]}" "${clean_env[@]}" "$root/usr/bin/a2al-cli" --socket "$sock" --raw node.info) \
    || fail "a2al-cli node.info failed"
case "$info" in
    *"\"socket\":\"$sock\""*) ;;
    *) fail "node.info does not report the socket: $info" ;;
esac
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat "$tmp/daemon.log" >&2; fail "the packaged a2ald exited with $status after SIGTERM"; }
echo "check-package: the packaged a2ald ran without the toolchain, answered node.info and stopped cleanly"
mcp_version=$("${hide_toolchain[@]}" "${clean_env[@]}" "$root/usr/bin/a2al-mcp" --version) || fail "a2al-mcp --version failed"
[ "$mcp_version" = "a2al-mcp $version" ] || fail "a2al-mcp --version says $mcp_version, a2ald says $version"

# Man pages render without warnings.
for page in "$root/usr/share/man/man8/a2ald.8.gz" "$root/usr/share/man/man1/a2al-cli.1.gz" \
    "$root/usr/share/man/man1/a2al-mcp.1.gz"; do
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man -l $page failed: $warnings"
    [ -z "$warnings" ] || fail "man -l $page warns: $warnings"
done
echo "check-package: man pages render without warnings"

# Completions parse (zsh and fish are checked where installed).
comp="$root/usr/share"
for f in "$comp/bash-completion/completions/a2ald" "$comp/bash-completion/completions/a2al-cli"; do
    bash -n "$f" || fail "$f does not parse"
done
if command -v zsh >/dev/null; then
    for f in "$comp/zsh/vendor-completions/_a2ald" "$comp/zsh/vendor-completions/_a2al-cli"; do zsh -n "$f" || fail "$f does not parse"; done
fi
if command -v fish >/dev/null; then
    for f in "$comp"/fish/vendor_completions.d/*.fish; do fish -n "$f" || fail "$f does not parse"; done
fi
echo "check-package: completions parse"

# systemd-analyze verify needs ExecStart's binary to exist: point it at the unpacked one, and
# look up Documentation=man:... pages in the package.
mkdir "$tmp/units"
sed "s|/usr/bin/a2ald|$root/usr/bin/a2ald|g" "$root/lib/systemd/system/a2ald.service" >"$tmp/units/a2ald.service"
cp "$root/lib/systemd/system/a2ald.socket" "$tmp/units/"
MANPATH="$root/usr/share/man" systemd-analyze verify "$tmp/units/a2ald.socket" "$tmp/units/a2ald.service" \
    || fail "systemd-analyze verify found problems in the units"
report=$(systemd-analyze security --offline=yes --no-pager "$root/lib/systemd/system/a2ald.service")
score=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for a2ald.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no exposure level in systemd-analyze security output"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { printf '%s\n' "$report" >&2; fail "exposure level $score is above 2.0"; }
echo "check-package: units verified; systemd-analyze security exposure $score"
echo "check-package: ok ($deb)"
