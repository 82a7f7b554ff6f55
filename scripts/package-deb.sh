#!/usr/bin/env bash
# Builds the Debian package a2al_VERSION_ARCH.deb from the release build in .build/release
# (scripts/setup.sh makes it, with the Swift runtime linked in: --static-swift-stdlib), so CI
# builds release once. Usage: scripts/package-deb.sh [OUT_DIR]   (default: .build/deb)
#
# Contents: the executables in EXECUTABLES, the systemd units (contrib/systemd), the
# sysusers.d and tmpfiles.d entries, man pages a2ald(8), a2al-cli(1) and a2al-mcp(1), bash/zsh/fish
# completions, the default config /etc/a2al/a2ald.json (a conffile, "{}"), copyright and
# changelog. docs/systemd.md describes the installed layout.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every executable the package ships. A missing one is an error, not skipped: add a new one
# (a2al-mcp, say) here, plus its man page and completions below if it has any.
EXECUTABLES=(a2ald a2al-cli a2al-mcp)

out=${1:-.build/deb}
bin=.build/release
for exe in "${EXECUTABLES[@]}"; do
    [ -x "$bin/$exe" ] || { echo "package-deb: $bin/$exe is missing; run scripts/setup.sh first" >&2; exit 1; }
done
# A binary that still needs the toolchain's runtime would not run on the target machine.
for exe in "${EXECUTABLES[@]}"; do
    if ldd "$bin/$exe" | grep -q 'libswiftCore\|libFoundation\.so\|/opt/swift'; then
        echo "package-deb: $bin/$exe links the Swift runtime dynamically; build with --static-swift-stdlib (scripts/setup.sh)" >&2
        exit 1
    fi
done

version=$("$bin/a2ald" --version)
arch=$(dpkg --print-architecture)
package=a2al
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

stage=$(mktemp -d /tmp/a2al-deb-XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
doc="$root/usr/share/doc/$package"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/sysusers.d" \
    "$root/usr/lib/tmpfiles.d" "$root/usr/share/man/man1" "$root/usr/share/man/man8" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d" "$root/etc/a2al" "$doc"

for exe in "${EXECUTABLES[@]}"; do
    install -m 0755 "$bin/$exe" "$root/usr/bin/$exe"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/$exe"
done
# Bookworm keeps units in /lib/systemd/system (usrmerge: the same directory as /usr/lib/...).
install -m 0644 contrib/systemd/a2ald.service contrib/systemd/a2ald.socket "$root/lib/systemd/system/"
install -m 0644 contrib/sysusers.d/a2al.conf "$root/usr/lib/sysusers.d/a2al.conf"
install -m 0644 contrib/tmpfiles.d/a2al.conf "$root/usr/lib/tmpfiles.d/a2al.conf"
printf '{}\n' >"$root/etc/a2al/a2ald.json"
chmod 0644 "$root/etc/a2al/a2ald.json"

# Man pages and completions, generated from the binaries and the schema they ship with.
python3 scripts/packaging/gen-manpages.py "$bin" schema/openrpc.json "$stage/man"
gzip -9n -c "$stage/man/a2ald.8" >"$root/usr/share/man/man8/a2ald.8.gz"
gzip -9n -c "$stage/man/a2al-cli.1" >"$root/usr/share/man/man1/a2al-cli.1.gz"
gzip -9n -c "$stage/man/a2al-mcp.1" >"$root/usr/share/man/man1/a2al-mcp.1.gz"
python3 scripts/packaging/gen-cli-completions.py "$bin/a2al-cli" schema/openrpc.json "$stage/completions"
# bash completions are sourced, not run: no "#!" line (lintian bash-completion-with-hashbang).
"$bin/a2ald" --generate-completion-script bash | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/a2ald"
"$bin/a2ald" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_a2ald"
"$bin/a2ald" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/a2ald.fish"
cp "$stage/completions/a2al-cli.bash" "$root/usr/share/bash-completion/completions/a2al-cli"
cp "$stage/completions/_a2al-cli" "$root/usr/share/zsh/vendor-completions/_a2al-cli"
cp "$stage/completions/a2al-cli.fish" "$root/usr/share/fish/vendor_completions.d/a2al-cli.fish"

cp scripts/packaging/copyright "$doc/copyright"
# The config file's JSON Schema, for editors and validators (docs/systemd.md, "Passing settings").
install -m 0644 schema/config.json "$doc/a2ald.schema.json"
date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
printf '%s (%s) unstable; urgency=medium\n\n  * Release %s: see the project history.\n\n -- A2AL maintainers <maintainers@a2al.invalid>  %s\n' \
    "$package" "$version" "$version" "$date" | gzip -9n >"$doc/changelog.gz"

# Shared libraries the binaries load, as the Debian packages that provide them.
depends=$(for exe in "${EXECUTABLES[@]}"; do ldd "$root/usr/bin/$exe"; done \
    | awk '$3 ~ /^\// { print $3 }' | sort -u \
    | while read -r lib; do dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"; done \
    | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: $package
Version: $version
Architecture: $arch
Maintainer: A2AL maintainers <maintainers@a2al.invalid>
Installed-Size: $installed_size
Depends: $depends
Pre-Depends: init-system-helpers (>= 1.54~)
Section: net
Priority: optional
Homepage: https://github.com/a2al/a2al
Description: DHT node daemon for A2AL agents, with its command-line client
 a2ald runs one node of the A2AL distributed hash table and serves JSON-RPC 2.0
 on a Unix socket; a2al-cli calls its methods. The package runs the daemon as
 the system user a2al under systemd (socket-activated, Type=notify, hardened),
 with its state in /var/lib/a2al and its settings in /etc/a2al/a2ald.json.
CONTROL
echo /etc/a2al/a2ald.json >"$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "scripts/packaging/$script" "$root/DEBIAN/$script"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/${package}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
