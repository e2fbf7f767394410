// @ts-check
// The shim's hand-written protobuf (oci/shim/pb.ts, messages.ts) against
// containerd's own .proto files (oci/shim/proto/), read by protobufjs:
// every message the shim writes decodes there to what was meant, and every
// request containerd sends, encoded by protobufjs, decodes in the shim.
// Field numbers or wire types that drift from containerd's fail here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import * as m from '../../dist/oci/shim/messages.js';
import { Fields } from '../../dist/oci/shim/pb.js';
import * as api from '../../dist/oci/shim/containerd-api.js';
import { CGROUPS_V1_METRICS, cgroupV1Metrics } from '../../dist/oci/shim/metrics.js';
import { ROOT } from '../helpers/paths.mjs';

const PROTO = path.join(ROOT, 'oci', 'shim', 'proto');

/** containerd's files without gogoproto's options (protobufjs does not need them); Google's types from protobufjs. */
function loadRoot() {
  const root = new protobuf.Root();
  for (const f of ['any', 'timestamp', 'empty', 'field_mask']) root.addJSON(/** @type {any} */ (protobuf.common.get(`google/protobuf/${f}.proto`)).nested);
  protobuf.parse('syntax = "proto3"; package google.rpc; import "google/protobuf/any.proto"; message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }', root, { keepCase: true });
  for (const f of fs.readdirSync(PROTO).filter((n) => n.endsWith('.proto'))) {
    const text = fs.readFileSync(path.join(PROTO, f), 'utf8')
      .replace(/^import (weak )?"(gogoproto|github\.com|google\/rpc)[^"]*";$/gm, '')
      .replace(/^\s*option \((gogoproto|containerd)[^;]*;$/gm, '')
      .replace(/\s*\[\((gogoproto|containerd)[^\]]*\]/g, '')
      .replace(/^\s*option go_package[^;]*;$/gm, '');
    protobuf.parse(text, root, { keepCase: true });
  }
  root.resolveAll();
  return root;
}
const root = loadRoot();
/** @param {string} name */
const T = (name) => root.lookupType(name);
/** @param {string} name @param {Uint8Array} bytes */
const decode = (name, bytes) => T(name).toObject(T(name).decode(bytes), { longs: Number, defaults: true, bytes: Array });
/** @param {string} name @param {object} obj */
const encode = (name, obj) => Uint8Array.from(T(name).encode(T(name).fromObject(obj)).finish());

test('ttrpc Request and Response', () => {
  const req = encode('ttrpc.Request', { service: 'containerd.task.v2.Task', method: 'Create', payload: Buffer.from([1, 2, 3]), timeout_nano: 5_000_000_000, metadata: [{ key: 'k', value: 'v' }] });
  assert.deepEqual(m.decodeTtrpcRequest(req), { service: 'containerd.task.v2.Task', method: 'Create', payload: new Uint8Array([1, 2, 3]), timeoutNano: 5_000_000_000 });
  assert.deepEqual(m.decodeTtrpcRequest(m.encodeTtrpcRequest({ service: 's', method: 'M', payload: new Uint8Array([9]), timeoutNano: 7 })), { service: 's', method: 'M', payload: new Uint8Array([9]), timeoutNano: 7 });
  const err = decode('ttrpc.Response', m.encodeTtrpcResponse(5, 'container x: not found', new Uint8Array(0)));
  assert.equal(err.status.code, 5);
  assert.equal(err.status.message, 'container x: not found');
  const ok = decode('ttrpc.Response', m.encodeTtrpcResponse(0, '', new Uint8Array([7])));
  assert.equal(ok.status, null);
  assert.deepEqual(ok.payload, [7]);
  assert.deepEqual(m.decodeTtrpcResponse(encode('ttrpc.Response', { status: { code: 12, message: 'no' }, payload: Buffer.from([1]) })), { code: 12, message: 'no', payload: new Uint8Array([1]) });
});

test('the task service requests, as containerd encodes them', () => {
  const create = encode('containerd.task.v2.CreateTaskRequest', {
    id: 'c1', bundle: '/b', rootfs: [{ type: 'overlay', source: 'overlay', target: '', options: ['lowerdir=/l', 'upperdir=/u'] }],
    terminal: false, stdin: '/f/in', stdout: '/f/out', stderr: '/f/err', checkpoint: '', options: { type_url: 'x', value: Buffer.from('y') },
  });
  assert.deepEqual(m.decodeCreate(create), {
    id: 'c1', bundle: '/b', rootfs: [{ type: 'overlay', source: 'overlay', target: '', options: ['lowerdir=/l', 'upperdir=/u'] }],
    terminal: false, stdin: '/f/in', stdout: '/f/out', stderr: '/f/err', checkpoint: '', options: { typeUrl: 'x', value: new Uint8Array(Buffer.from('y')) },
  });
  assert.deepEqual(m.decodeRef(encode('containerd.task.v2.StartRequest', { id: 'c', exec_id: 'e' })), { id: 'c', execId: 'e' });
  assert.deepEqual(m.decodeKill(encode('containerd.task.v2.KillRequest', { id: 'c', exec_id: '', signal: 9, all: true })), { id: 'c', execId: '', signal: 9, all: true });
  assert.deepEqual(m.decodeResize(encode('containerd.task.v2.ResizePtyRequest', { id: 'c', exec_id: 'e', width: 80, height: 24 })), { id: 'c', execId: 'e', width: 80, height: 24 });
  assert.deepEqual(m.decodeCloseIO(encode('containerd.task.v2.CloseIORequest', { id: 'c', exec_id: 'e', stdin: true })), { id: 'c', execId: 'e', stdin: true });
  assert.deepEqual(m.decodeShutdown(encode('containerd.task.v2.ShutdownRequest', { id: 'c', now: true })), { id: 'c', now: true });
  const exec = m.decodeExec(encode('containerd.task.v2.ExecProcessRequest', { id: 'c', exec_id: 'e', terminal: false, stdin: '', stdout: '/o', stderr: '/e', spec: { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Process', value: Buffer.from('{}') } }));
  assert.deepEqual(exec, { id: 'c', execId: 'e', terminal: false, stdin: '', stdout: '/o', stderr: '/e', spec: { typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/Process', value: new Uint8Array(Buffer.from('{}')) } });
  const update = m.decodeUpdate(encode('containerd.task.v2.UpdateTaskRequest', { id: 'c', resources: { type_url: 'r', value: Buffer.from('{"cpu":{}}') }, annotations: { a: 'b' } }));
  assert.equal(update.id, 'c');
  assert.equal(Buffer.from(/** @type {Uint8Array} */ (update.resources?.value)).toString(), '{"cpu":{}}');
});

test('the task service responses, as containerd decodes them', () => {
  const at = { seconds: 1_796_000_000, nanos: 123_456_789 };
  assert.deepEqual(decode('containerd.task.v2.CreateTaskResponse', m.encodePid(4242)), { pid: 4242 });
  assert.deepEqual(decode('containerd.task.v2.DeleteResponse', m.encodeDeleted(7, 137, at)), { pid: 7, exit_status: 137, exited_at: at });
  assert.deepEqual(decode('containerd.task.v2.WaitResponse', m.encodeWait(3, at)), { exit_status: 3, exited_at: at });
  const running = decode('containerd.task.v2.StateResponse', m.encodeState({
    id: 'c', bundle: '/b', pid: 9, status: m.Status.RUNNING, stdin: '', stdout: '/o', stderr: '/e', terminal: false, exitStatus: 0, exitedAt: undefined, execId: '',
  }));
  assert.equal(running.status, 2);
  assert.equal(running.exited_at, null, 'a running process has no exit time (Go\'s zero time)');
  const stopped = decode('containerd.task.v2.StateResponse', m.encodeState({
    id: 'e', bundle: '/b', pid: 9, status: m.Status.STOPPED, stdin: '', stdout: '', stderr: '', terminal: false, exitStatus: 255, exitedAt: at, execId: 'e',
  }));
  assert.deepEqual([stopped.status, stopped.exit_status, stopped.exited_at, stopped.exec_id], [3, 255, at, 'e']);
  assert.deepEqual(decode('containerd.task.v2.PidsResponse', m.encodePids([1, 70000])).processes.map((/** @type {{pid: number}} */ p) => p.pid), [1, 70000]);
  assert.deepEqual(decode('containerd.task.v2.ConnectResponse', m.encodeConnect(10, 11, 'tswasi 0.1.0')), { shim_pid: 10, task_pid: 11, version: 'tswasi 0.1.0' });
});

test('task events in their envelope, as containerd decodes them', () => {
  const at = { seconds: 1_796_000_000, nanos: 5 };
  const fwd = decode('containerd.services.events.ttrpc.v1.ForwardRequest', m.encodeForward('k8s.io', m.events.exit('c', 'e1', 77, 143, at), at));
  assert.equal(fwd.envelope.namespace, 'k8s.io');
  assert.equal(fwd.envelope.topic, '/tasks/exit');
  assert.deepEqual(fwd.envelope.timestamp, at);
  assert.equal(fwd.envelope.event.type_url, 'containerd.events.TaskExit');
  assert.deepEqual(decode('containerd.events.TaskExit', Uint8Array.from(fwd.envelope.event.value)), { container_id: 'c', id: 'e1', pid: 77, exit_status: 143, exited_at: at });
  const io = { stdin: '', stdout: '/o', stderr: '/e', terminal: false };
  const cases = /** @type {const} */ ([
    [m.events.create('c', '/b', [{ type: 'overlay', source: 'overlay', target: '', options: ['ro'] }], io, 5), 'TaskCreate', '/tasks/create',
      { container_id: 'c', bundle: '/b', rootfs: [{ type: 'overlay', source: 'overlay', target: '', options: ['ro'] }], io: { ...io }, checkpoint: '', pid: 5 }],
    [m.events.start('c', 5), 'TaskStart', '/tasks/start', { container_id: 'c', pid: 5 }],
    [m.events.delete('c', 5, 3, at), 'TaskDelete', '/tasks/delete', { container_id: 'c', pid: 5, exit_status: 3, exited_at: at, id: 'c' }],
    [m.events.oom('c'), 'TaskOOM', '/tasks/oom', { container_id: 'c' }],
    [m.events.execAdded('c', 'e'), 'TaskExecAdded', '/tasks/exec-added', { container_id: 'c', exec_id: 'e' }],
    [m.events.execStarted('c', 'e', 6), 'TaskExecStarted', '/tasks/exec-started', { container_id: 'c', exec_id: 'e', pid: 6 }],
    [m.events.paused('c'), 'TaskPaused', '/tasks/paused', { container_id: 'c' }],
    [m.events.resumed('c'), 'TaskResumed', '/tasks/resumed', { container_id: 'c' }],
  ]);
  for (const [e, name, topic, want] of cases) {
    assert.equal(e.topic, topic);
    assert.equal(e.typeUrl, `containerd.events.${name}`);
    assert.deepEqual(decode(`containerd.events.${name}`, e.value), want, name);
  }
});

test('the wire format: negative int32, large varints, unknown wire types, truncation', () => {
  const st = decode('ttrpc.Response', m.encodeTtrpcResponse(-3, 'x', new Uint8Array(0)));
  assert.equal(st.status.code, -3);
  assert.equal(Fields.decode(encode('google.rpc.Status', { code: -3 })).int32(1), -3);
  assert.equal(Fields.decode(encode('ttrpc.Request', { timeout_nano: 2 ** 52 + 1 })).uint(4), 2 ** 52 + 1);
  assert.throws(() => Fields.decode(new Uint8Array([0x0a, 0x05, 0x61])), /truncated/);
  assert.throws(() => Fields.decode(new Uint8Array([0x0b])), /wire type 3/);
  assert.throws(() => Fields.decode(new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /varint/);
});

test('Stats: a cgroup v1 tree read as containerd\'s cgroups library reads it, decoded by the Metrics of containerd\'s proto', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tswasi-cg-'));
  try {
    /** @param {string} dir @param {Record<string, string>} files */
    const put = (dir, files) => {
      fs.mkdirSync(path.join(base, dir), { recursive: true });
      for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(base, dir, f), text);
      return path.join(base, dir);
    };
    const NO_LIMIT = '9223372036854771712';
    const paths = {
      pids: put('pids/c', { 'pids.current': '3\n', 'pids.max': 'max\n' }),
      cpu: put('cpu/c', { 'cpu.stat': 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n' }),
      cpuacct: put('cpuacct/c', { 'cpuacct.usage': '123456789\n', 'cpuacct.usage_percpu': '100000000 23456789 \n', 'cpuacct.stat': 'user 7\nsystem 3\n' }),
      memory: put('memory/c', {
        'memory.stat': 'cache 4096\nrss 8192\ninactive_file 1024\nhierarchical_memory_limit 67108864\ntotal_cache 4096\ntotal_inactive_file 1024\n',
        'memory.usage_in_bytes': '12288\n', 'memory.max_usage_in_bytes': '20480\n', 'memory.limit_in_bytes': '67108864\n', 'memory.failcnt': '0\n',
        'memory.kmem.usage_in_bytes': '512\n', 'memory.kmem.limit_in_bytes': `${NO_LIMIT}\n`,
        'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
      }),
    };
    const bytes = cgroupV1Metrics(paths);
    const M = T('io.containerd.cgroups.v1.Metrics');
    const got = M.toObject(M.decode(bytes), { longs: String, defaults: false });
    assert.deepEqual(got.pids, { current: '3' });
    assert.deepEqual(got.cpu, {
      usage: { total: '123456789', kernel: '30000000', user: '70000000', per_cpu: ['100000000', '23456789'] },
      throttling: { periods: '10', throttled_periods: '2', throttled_time: '5000' },
    });
    assert.equal(got.memory.cache, '4096');
    assert.equal(got.memory.rss, '8192');
    assert.equal(got.memory.inactive_file, '1024');
    assert.equal(got.memory.hierarchical_memory_limit, '67108864');
    assert.equal(got.memory.total_inactive_file, '1024');
    assert.deepEqual(got.memory.usage, { limit: '67108864', usage: '12288', max: '20480' });
    assert.deepEqual(got.memory.kernel, { limit: NO_LIMIT, usage: '512' });
    // No swap accounting, no kmem.tcp: present and empty, as the library leaves them.
    assert.deepEqual(got.memory.swap, {});
    assert.deepEqual(got.memory.kernel_tcp, {});
    assert.deepEqual(got.memory_oom_control, { oom_kill: '1' });
    assert.equal(CGROUPS_V1_METRICS, M.fullName.slice(1));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('containerd\'s API: Containers.Get, Images.Get and Content.Read, as containerd encodes them', () => {
  assert.deepEqual(decode('containerd.services.containers.v1.GetContainerRequest', api.encodeGet('c1')), { id: 'c1' });
  assert.deepEqual(decode('containerd.services.images.v1.GetImageRequest', api.encodeGet('docker.io/x:1')), { name: 'docker.io/x:1' });
  assert.deepEqual(decode('containerd.services.content.v1.ReadContentRequest', api.encodeGet('sha256:ab')), { digest: 'sha256:ab', offset: 0, size: 0 });
  const container = encode('containerd.services.containers.v1.GetContainerResponse', {
    container: { id: 'c1', labels: { a: 'b' }, image: 'localhost/w:1', runtime: { name: 'io.containerd.tswasi.v1' }, spec: { type_url: 't', value: Buffer.from('{}') }, snapshotter: 'overlayfs', snapshot_key: 'c1', created_at: { seconds: 5 } },
  });
  assert.equal(api.decodeContainerImage(container), 'localhost/w:1');
  assert.equal(api.decodeContainerImage(encode('containerd.services.containers.v1.GetContainerResponse', { container: { id: 'c2' } })), '');
  const image = encode('containerd.services.images.v1.GetImageResponse', {
    image: { name: 'localhost/w:1', labels: { l: 'v' }, target: { media_type: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:00', size: 5_000_000_000, annotations: { k: 'v' } }, created_at: { seconds: 1 } },
  });
  assert.deepEqual(api.decodeImageTarget(image), { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:00', size: 5_000_000_000 });
  assert.equal(api.decodeImageTarget(encode('containerd.services.images.v1.GetImageResponse', {})), null);
  const piece = encode('containerd.services.content.v1.ReadContentResponse', { offset: 1 << 20, data: Buffer.from([1, 2, 3]) });
  assert.deepEqual(api.decodeReadContent(piece), { offset: 1 << 20, data: new Uint8Array([1, 2, 3]) });
});
