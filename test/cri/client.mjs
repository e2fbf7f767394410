// A CRI client as kubelet is one: runtime.v1.RuntimeService over gRPC on a
// unix socket, with the messages of cri.proto. Every call has a deadline, so
// a runtime that hangs fails the test with the call's name instead of hanging it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cri.proto');

/**
 * A client for the RuntimeService at unix socket `socket`. Each RPC is an
 * async method taking the request object (snake_case fields, as in the
 * .proto) and an optional deadline in ms (default `deadlineMs`).
 */
export function criClient(socket, { deadlineMs = 30_000 } = {}) {
  const def = protoLoader.loadSync(PROTO, {
    keepCase: true, // field names as in api.proto
    longs: Number, // int64 timestamps and timeouts as numbers
    enums: String, // CONTAINER_EXITED rather than 2
    defaults: true, // exit_code 0 is sent as "absent": read it as 0
  });
  const { RuntimeService } = grpc.loadPackageDefinition(def).runtime.v1;
  const stub = new RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
  const client = { close: () => stub.close() };
  for (const name of Object.keys(RuntimeService.service)) {
    client[name] = (request = {}, ms = deadlineMs) =>
      new Promise((resolve, reject) => {
        stub[name](request, { deadline: Date.now() + ms }, (err, res) => {
          if (err) reject(Object.assign(new Error(`CRI ${name}: ${err.details || err.message}`), { code: err.code }));
          else resolve(res);
        });
      });
  }
  return client;
}
