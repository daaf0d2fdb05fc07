import { wireNameLength } from './name.js';

/** Field access on SOA wire rdata (RFC 1035 §3.3.13): MNAME, RNAME, then five u32s. */
function fixedOffset(rdata: Uint8Array): number {
  const m = wireNameLength(rdata, 0);
  return m + wireNameLength(rdata, m);
}

export interface SoaTimers {
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export function soaTimers(rdata: Uint8Array): SoaTimers {
  const o = fixedOffset(rdata);
  const v = new DataView(rdata.buffer, rdata.byteOffset + o, 20);
  return { serial: v.getUint32(0), refresh: v.getUint32(4), retry: v.getUint32(8), expire: v.getUint32(12), minimum: v.getUint32(16) };
}

export function soaSerial(rdata: Uint8Array): number {
  return soaTimers(rdata).serial;
}

/** A copy of the SOA rdata with another serial. */
export function withSerial(rdata: Uint8Array, serial: number): Uint8Array {
  const out = Uint8Array.from(rdata);
  new DataView(out.buffer).setUint32(fixedOffset(out), serial >>> 0);
  return out;
}
