/** The filesystem pieces of the WASI core that the OCI runtime builds containers from. */
export {
  HostDir, MemDir, DirFd, buildNamespace, namespacePreopen, normaliseGuestPath, resolveIn, readAllFrom,
  type DirHandle, type FileHandle, type MountTarget, type Namespace,
} from '../wasi/index.js';
