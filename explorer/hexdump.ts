/** Guest memory as a hex dump: address, 8 bytes, their ASCII (fits the call panel). */
import type { MemRegion } from './protocol.js';

export function hexDump(r: MemRegion): string {
  const lines: string[] = [];
  for (let off = 0; off < r.bytes.length; off += 8) {
    const chunk = [...r.bytes.subarray(off, off + 8)];
    const hex = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = chunk.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(r.ptr + off).toString(16).padStart(8, '0')}  ${hex.padEnd(24)}  ${ascii}`);
  }
  return lines.join('\n') + (r.len > r.bytes.length ? `\n… ${r.len - r.bytes.length} more bytes` : '');
}
