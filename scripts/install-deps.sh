#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs: clang, lld,
# wasi-libc and compiler-rt's wasm32 builtins (libclang-rt-dev-wasm32: clang
# links them into every wasm32-wasi program, and --no-install-recommends does
# not bring them) to compile the C test programs during the run;
# podman, buildah, runc and busybox-static for the OCI runtime's tests;
# catatonit, the init a Wasm container's runner runs under (oci/runner.ts);
# chromium for the browser tests (test/browser, driven by playwright-core);
# and, beside the machine's containerd, Debian 13's containerd 1.7 unpacked
# into a cache (containerd-1.7.sh), for the shim's Wasm-layer image tests.
# Runs apt-get, so it needs root (CI runs as root; `sudo` it elsewhere).
set -euo pipefail
packages=(clang lld wasi-libc libclang-rt-dev-wasm32 podman buildah runc catatonit busybox-static containerd chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run: sudo $0)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
if ! bash "$(dirname "$0")/containerd-1.7.sh" --installed >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: containerd 1.7 is not installed (run: sudo $(dirname "$0")/containerd-1.7.sh)" >&2
    exit 1
  fi
  bash "$(dirname "$0")/containerd-1.7.sh" >/dev/null
fi
