#!/bin/sh
# Installs tswasi-oci, tswasi-oci-wasm and containerd-shim-tswasi-v1 at a
# fixed path for container engines to call (containerd's BinaryName, CRI-O's
# runtime_path, podman's --runtime; containerd finds the shim on its PATH for
# runtime_type io.containerd.tswasi.v1): `scripts/install-oci.sh [DIR]`, DIR
# defaulting to /usr/local/bin.
# Each is a two-line sh wrapper that names node and the built entry point by
# absolute path: engines run their runtime with a minimal environment whose
# PATH may not hold node (nvm, a tarball), where `#!/usr/bin/env node` fails.
# containerd-shim-tswasi-v1's wrapper also answers containerd's per-container
# `start` and `delete` calls in their common cases without starting Node
# (scripts/containerd-shim-tswasi-v1.sh, docs/containerd-shim.md).
# Run `npm run build` first; NODE=/path/to/node picks another node.
set -eu
dest=${1:-/usr/local/bin}
here=$(cd "$(dirname "$0")/.." && pwd -P)
node=${NODE:-$(command -v node || true)}
case $node in
  /*) ;;
  *) echo "install-oci: node not found: put it on PATH or set NODE=/path/to/node" >&2; exit 1 ;;
esac
for p in "$node" "$here"; do
  case $p in *"'"*) echo "install-oci: a path with a single quote is not supported: $p" >&2; exit 1 ;; esac
done
mkdir -p "$dest"
for entry in oci/tswasi-oci oci/tswasi-oci-wasm oci/shim/containerd-shim-tswasi-v1; do
  name=$(basename "$entry")
  entry=$here/dist/$entry.cjs
  [ -f "$entry" ] || { echo "install-oci: $entry is missing: run npm run build first" >&2; exit 1; }
  tmp=$dest/.$name.$$
  if [ "$name" = containerd-shim-tswasi-v1 ]; then
    { printf "#!/bin/sh\nnode='%s'\nentry='%s'\n" "$node" "$entry"; cat "$here/scripts/$name.sh"; } > "$tmp"
  else
    printf "#!/bin/sh\nexec '%s' '%s' \"\$@\"\n" "$node" "$entry" > "$tmp"
  fi
  chmod 755 "$tmp"
  mv -f "$tmp" "$dest/$name"
  echo "installed $dest/$name"
done
