#!/usr/bin/env bash
# Prints the bin directory of containerd 1.7 (containerd, ctr,
# containerd-shim-runc-v2), installing it first into a cache if it is not
# there. It is Debian 13's containerd package (trixie, from Debian's apt
# archive), unpacked with dpkg -x: nothing of the machine's apt sources,
# preferences or installed packages changes, and the machine's own
# containerd (Debian 12's 1.6) stays what every other test uses.
#
# Why a second containerd: containerd 1.6 cannot import or run an image
# whose layer is a Wasm module (application/wasm); 1.7 leaves such layers out
# of the unpacked snapshot, so the shim can read the module from the content
# store (test/shim/artifact.test.mjs, docs/containerd-shim.md). The package's
# binaries are Go programs that need only libc (>= 2.34; Debian 12 has 2.36).
#
# The cache is $TSWASI_CONTAINERD_CACHE, else /var/cache/tswasi/containerd-1.7.
# The install is atomic: a half-done one is never used. With --installed it
# installs nothing: it prints the directory if it is there, else exits 1.
set -euo pipefail
cache="${TSWASI_CONTAINERD_CACHE:-/var/cache/tswasi/containerd-1.7}"
if [ -x "$cache/usr/bin/containerd" ]; then
  echo "$cache/usr/bin"
  exit 0
fi
if [ "${1-}" = --installed ]; then
  echo "containerd-1.7: not installed in $cache (run: sudo $0)" >&2
  exit 1
fi
work="$(mktemp -d "${cache%/*}/.containerd-1.7.XXXXXX" 2>/dev/null || { mkdir -p "${cache%/*}" && mktemp -d "${cache%/*}/.containerd-1.7.XXXXXX"; })"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/sources"
cat > "$work/sources/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# apt with a private state: only these sources, no preferences, no dpkg status.
apt=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work" -o "Dir::State::status=/dev/null"
  -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=/dev/null"
  -o "APT::Architecture=$(dpkg --print-architecture)" -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1")
apt-get "${apt[@]}" -qq update >&2
(cd "$work" && apt-get "${apt[@]}" -qq download containerd >&2)
deb=("$work"/containerd_*.deb)
dpkg-deb -x "${deb[0]}" "$work/root"
"$work/root/usr/bin/containerd" --version >&2
rm -rf "$cache.old"
[ -e "$cache" ] && mv "$cache" "$cache.old"
mv "$work/root" "$cache"
rm -rf "$cache.old"
echo "$cache/usr/bin"
