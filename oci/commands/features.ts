/** `features`: what this runtime supports, as the OCI features document (features.md). */
import { OCI_VERSION } from '../spec.js';

export function features(): number {
  const doc = {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [],
    mountOptions: ['bind', 'rbind', 'ro', 'rw'],
    linux: {
      namespaces: [],
      capabilities: [],
      cgroup: { v1: false, v2: false, systemd: false, systemdUser: false },
      seccomp: { enabled: false },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: {
      'io.github.tswasi.wasm': 'Wasm containers run in tswasi; others go to the native runtime',
      'run.oci.handler': 'wasm | wasm-smart',
      'module.wasm.image/variant': 'compat | compat-smart | wasm | wasm-smart',
    },
  };
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  return 0;
}
