#!/usr/bin/env node
// @ts-check
// TEST HELPER ONLY — never used by the product.
// These CI machines are Firecracker VMs whose root lacks CAP_SYS_RESOURCE, so
// runc fails to apply the process.rlimits that podman writes into every
// config.json ("setrlimit: operation not permitted"). This wrapper removes
// process.rlimits from the bundle (and `exec`'s process.json) before handing
// the command line, unchanged, to the real runc. tswasi-oci itself keeps them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const cmdIndex = args.findIndex((a) => a === 'create' || a === 'run');
if (cmdIndex >= 0) {
  let bundle = '.';
  for (let i = cmdIndex + 1; i < args.length; i++) {
    if (args[i] === '--bundle' || args[i] === '-b') bundle = args[i + 1];
    else if (args[i].startsWith('--bundle=')) bundle = args[i].slice(9);
  }
  const file = path.join(bundle, 'config.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (spec.process?.rlimits) {
    delete spec.process.rlimits;
    fs.writeFileSync(file, JSON.stringify(spec));
  }
}
// Fds 3… that runc is to preserve (--preserve-fds N) must reach it too.
let preserve = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--preserve-fds') preserve = Number(args[i + 1]);
  else if (args[i].startsWith('--preserve-fds=')) preserve = Number(args[i].slice(15));
}
const fds = Array.from({ length: preserve }, (_, i) => 3 + i);
if (args.includes('exec')) {
  const i = args.findIndex((a) => a === '--process' || a === '-p');
  const file = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--process='))?.slice(10);
  if (file) {
    const proc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (proc.rlimits) {
      delete proc.rlimits;
      fs.writeFileSync(file, JSON.stringify(proc));
    }
  }
}
const r = spawnSync(process.env.REAL_RUNC || 'runc', args, { stdio: ['inherit', 'inherit', 'inherit', ...fds] });
process.exit(r.status ?? 1);
