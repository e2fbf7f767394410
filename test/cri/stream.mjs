// @ts-check
// The client side of CRI streaming as kubectl exec -it reaches it: the URL
// that CRI Exec returns, opened as a WebSocket with the subprotocol
// v4.channel.k8s.io (kubelet's streaming server, which containerd's CRI
// plugin embeds: pkg/cri/streaming/remotecommand/websocket.go). Each message
// is a channel number (0 stdin, 1 stdout, 2 stderr, 3 the final status as
// JSON, 4 terminal size as JSON) and its bytes. A small RFC 6455 client over
// node:http's upgrade: enough for whole (unfragmented) messages, close and ping.
import crypto from 'node:crypto';
import http from 'node:http';

export const STDIN = 0, STDOUT = 1, STDERR = 2, STATUS = 3, RESIZE = 4;

/**
 * @typedef {object} ExecStream
 * @property {(channel: number, data: string | Uint8Array) => void} send
 * @property {(channel: number, text: string) => Promise<void>} shown  resolves once `text` has come on `channel`
 * @property {Promise<{ output: Record<number, string>, status: unknown }>} done  the streams' text by channel, and channel 3's status, once the server closes
 */

/**
 * Open the exec stream at `url` (http://…/exec/TOKEN).
 * @param {string} url
 * @returns {Promise<ExecStream>}
 */
export function openExec(url) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const req = http.request(url, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`${url}: HTTP ${res.statusCode}, not an upgrade`)));
    req.on('upgrade', (res, socket, head) => {
      const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept) { socket.destroy(); reject(new Error('bad Sec-WebSocket-Accept')); return; }
      /** @type {Record<number, string>} */
      const output = {};
      /** @type {Array<() => void>} */
      let watchers = [];
      let status = /** @type {unknown} */ (undefined);
      let buf = Buffer.from(head);
      /** @param {number} opcode @param {Buffer} payload */
      const frame = (opcode, payload) => {
        // Client frames are masked (RFC 6455 5.3).
        const mask = crypto.randomBytes(4);
        const len = payload.length;
        const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
          : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
            : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(len)); return b; })()]);
        const body = Buffer.from(payload);
        for (let i = 0; i < body.length; i++) body[i] = /** @type {number} */ (body[i]) ^ /** @type {number} */ (mask[i & 3]);
        socket.write(Buffer.concat([header, mask, body]));
      };
      // Set once the server has said it is done (the final status, or a close frame): a reset after that is its
      // closing, not a failure (kubelet's server closes its socket right after its close frame).
      let closing = false;
      const done = new Promise((resolveDone, rejectDone) => {
        socket.on('error', (e) => (closing ? resolveDone({ output, status }) : rejectDone(e)));
        socket.on('close', () => resolveDone({ output, status }));
      });
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          if (buf.length < 2) return;
          const opcode = /** @type {number} */ (buf[0]) & 0x0f;
          let len = /** @type {number} */ (buf[1]) & 0x7f;
          let at = 2;
          if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); at = 4; }
          else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); at = 10; }
          if (buf.length < at + len) return;
          const payload = buf.subarray(at, at + len);
          buf = buf.subarray(at + len);
          // No close frame back: the server has closed its socket already, and data sent to it would be reset.
          if (opcode === 0x8) { closing = true; socket.end(); continue; }
          if (opcode === 0x9) { frame(0xa, payload); continue; }
          if ((opcode !== 0x1 && opcode !== 0x2) || payload.length === 0) continue;
          const channel = /** @type {number} */ (payload[0]);
          const text = payload.subarray(1).toString('utf8');
          if (channel === STATUS) {
            status = text === '' ? status : JSON.parse(text);
            closing ||= status !== undefined;
          }
          else output[channel] = (output[channel] ?? '') + text;
          for (const w of watchers) w();
        }
      });
      resolve({
        send: (channel, data) => frame(0x2, Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
        shown: (channel, text) => new Promise((ok, fail) => {
          const look = () => {
            if ((output[channel] ?? '').includes(text)) { watchers = watchers.filter((w) => w !== look); ok(); }
          };
          watchers.push(look);
          look();
          void done.then(() => fail(new Error(`the stream closed without ${JSON.stringify(text)} on channel ${channel}: ${JSON.stringify(output)}`)), fail);
        }),
        done,
      });
    });
    req.end();
  });
}
