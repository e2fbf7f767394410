/**
 * tswasi's WASI for Node: WasiBase on Node's platform — stdio as host fds
 * (the process's own by default), host directories (HostDir), process.exit.
 */
import type { Fd } from './fd.js';
import type { DirHandle } from './fs/handle.js';
import { HostDir } from './fs/host.js';
import { HostStreamFd, LocalOutputBuffer } from './host-stdio.js';
import type { Platform } from './platform.js';
import { guestListeners, openListeners } from './sockets/open.js';
import { type DirSource, openDirSourceWith } from './preopens.js';
import { WasiBase, type WASIOptions } from './wasi.js';

const NODE: Platform = {
  hostStdio: (fd, output, coalesce) => new HostStreamFd(fd, output, coalesce),
  localOutput: (fd) => new LocalOutputBuffer(fd),
  stopCoalescing: (fd: Fd) => { if (fd instanceof HostStreamFd) fd.stopCoalescing(); },
  openHostDir: (path, readonly) => HostDir.open(path, readonly),
  exit: (code) => process.exit(code),
  listeners: (option) => ('channel' in option ? guestListeners(option.channel) : openListeners(option)),
};

export class WASI extends WasiBase {
  constructor(options: WASIOptions = {}) {
    super(options, NODE);
  }
}

/** Open a DirSource (host path, memfs Volume, { host } or { volume }) as a directory handle. */
export function openDirSource(src: DirSource): DirHandle {
  return openDirSourceWith(src, NODE.openHostDir);
}
