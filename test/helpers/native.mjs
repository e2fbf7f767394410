// @ts-check
// Native builds of the portable C programs (test/c/sock_*.c): the same
// source as the wasm32-wasi build, compiled for this machine, so a client can
// check tswasi against what the kernel's own sockets do.
//
//   compileNative(name)   -> path of test/.build/native/<name>, or null (skip)
//
// Hermetic like compileC: fixed flags (no CFLAGS from the environment), the
// build cached by source, headers, flags and compiler version.
// Environment: NATIVE_CC (default clang); CI=true makes a missing compiler
// an error instead of a skip.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILD_DIR } from './paths.mjs';
import { C_DIR, cachedBuild } from './wasm.mjs';

export const NATIVE_CC = process.env.NATIVE_CC || 'clang';
// The programs ask for nothing beyond POSIX and accept4 (_GNU_SOURCE in glibc).
export const NATIVE_CFLAGS = ['-O2', '-Wall', '-Wno-unused-function', '-std=c11', '-D_GNU_SOURCE'];
const NATIVE_DIR = path.join(BUILD_DIR, 'native');

/** @type {string | true | undefined} */
let toolchain;

/** Why the native compiler is unusable, or null. */
export function nativeToolchainProblem() {
  if (toolchain === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-cc-native-'));
    try {
      const src = path.join(dir, 'probe.c');
      fs.writeFileSync(src, '#include <sys/socket.h>\n#include <poll.h>\nint main(void){return 0;}\n');
      const r = spawnSync(NATIVE_CC, [...NATIVE_CFLAGS, src, '-o', path.join(dir, 'probe')], { encoding: 'utf8' });
      toolchain = r.status === 0 ? true : `${NATIVE_CC} cannot build for this machine: ${r.stderr || r.error?.message}`;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return toolchain === true ? null : toolchain;
}

/**
 * Compile test/c/<name>.c for this machine; null when there is no compiler
 * (outside CI; in CI that throws).
 * @param {string} name
 * @returns {string | null}
 */
export function compileNative(name) {
  const problem = nativeToolchainProblem();
  if (problem) {
    if (process.env.CI === 'true') throw new Error(`a native C compiler is required in CI: ${problem}`);
    return null;
  }
  return cachedBuild({
    cc: NATIVE_CC, flags: NATIVE_CFLAGS, recipe: 'native, one step', srcDir: C_DIR, name,
    out: path.join(NATIVE_DIR, name),
    build: (src, out) => spawnSync(NATIVE_CC, [...NATIVE_CFLAGS, src, '-o', out], { encoding: 'utf8' }),
  });
}
