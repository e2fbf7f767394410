// @ts-check
// A CRI client as kubelet is one: runtime.v1.RuntimeService over gRPC on a
// unix socket, with the messages of cri.proto. Every call has a deadline, so
// a runtime that hangs fails the test with the call's name instead of hanging it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cri.proto');

/**
 * The messages of cri.proto that the tests read (snake_case, as loaded with keepCase).
 * @typedef {{ id: string, state: string, exit_code: number, reason?: string, message?: string, started_at?: number, finished_at?: number }} ContainerStatusMsg
 * @typedef {(request: object, ms?: number) => Promise<unknown>} Rpc
 *
 * The RPCs the tests call: request in, response out (every other RPC of the service is there too, untyped).
 * @typedef {object} CriClient
 * @property {() => void} close
 * @property {(request: object, ms?: number) => Promise<{ version: string, runtime_name: string, runtime_version: string }>} Version
 * @property {(request: object, ms?: number) => Promise<{ pod_sandbox_id: string }>} RunPodSandbox
 * @property {(request: object, ms?: number) => Promise<{ container_id: string }>} CreateContainer
 * @property {Rpc} StartContainer
 * @property {Rpc} StopContainer
 * @property {Rpc} StopPodSandbox
 * @property {Rpc} RemovePodSandbox
 * @property {(request: object, ms?: number) => Promise<{ status: ContainerStatusMsg, info: Record<string, string> }>} ContainerStatus
 * @property {(request: object, ms?: number) => Promise<{ stdout: Buffer, stderr: Buffer, exit_code: number }>} ExecSync
 * @property {(request: object, ms?: number) => Promise<{ url: string }>} Exec
 * @property {(request: object, ms?: number) => Promise<{ containers: Array<{ id: string }> }>} ListContainers
 * @property {(request: object, ms?: number) => Promise<{ items: Array<{ id: string }> }>} ListPodSandbox
 * @property {(request: object, ms?: number) => Promise<{ stats: { cpu: { usage_core_nano_seconds: { value: number } | null }, memory: { working_set_bytes: { value: number } | null, usage_bytes: { value: number } | null } } }>} ContainerStats
 */

/**
 * A client for the RuntimeService at unix socket `socket`. Each RPC is an
 * async method taking the request object (snake_case fields, as in the
 * .proto) and an optional deadline in ms (default `deadlineMs`).
 * @param {string} socket
 * @param {{ deadlineMs?: number }} [options]
 * @returns {CriClient}
 */
export function criClient(socket, { deadlineMs = 30_000 } = {}) {
  const def = protoLoader.loadSync(PROTO, {
    keepCase: true, // field names as in api.proto
    longs: Number, // int64 timestamps and timeouts as numbers
    enums: String, // CONTAINER_EXITED rather than 2
    defaults: true, // exit_code 0 is sent as "absent": read it as 0
  });
  // The package as loaded from cri.proto: runtime.v1.RuntimeService, a service client constructor.
  const pkg = /** @type {{ runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } }} */ (/** @type {unknown} */ (grpc.loadPackageDefinition(def)));
  const { RuntimeService } = pkg.runtime.v1;
  const stub = new RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
  /** @type {Record<string, Rpc | (() => void)>} */
  const client = { close: () => stub.close() };
  for (const name of Object.keys(RuntimeService.service)) {
    /** @type {(request: object, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res: unknown) => void) => void} */
    const call = stub[name].bind(stub);
    client[name] = (request = {}, ms = deadlineMs) =>
      new Promise((resolve, reject) => {
        call(request, { deadline: Date.now() + ms }, (err, res) => {
          if (err) reject(Object.assign(new Error(`CRI ${name}: ${err.details || err.message}`), { code: err.code }));
          else resolve(res);
        });
      });
  }
  // Every RPC of the service is now a method: the typed ones among them as CriClient says.
  return /** @type {CriClient} */ (/** @type {unknown} */ (client));
}
