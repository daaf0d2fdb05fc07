/**
 * Walks uncompressed wire rdata along its type's layout: checks the structure (lengths, embedded
 * names, bitmaps, SVCB parameters...) and reports where the embedded names are.
 */
import { checkBitmap } from './bitmap.js';
import { count, fail, nameEnd } from './fields.js';
import { hipServersStart, ipseckeyGatewayEnd } from './keys.js';
import type { Layout } from './layout.js';
import { checkLoc } from './loc.js';
import { aplItems } from './misc.js';
import { checkCaaTag } from './service.js';
import { walkSvcParams } from './svcb-params.js';

export type NameVisitor = (offset: number, additional: boolean) => void;

/** Checks `r` against `layout`; calls `visit` for each embedded name once it is checked. Throws RdataError. */
export function walkRdata(layout: Layout, r: Uint8Array, visit?: NameVisitor): void {
  const t = layout.name;
  const end = r.length;
  if (end > 0xffff) fail(`${t} rdata is ${end} octets, above 65535`);
  let p = 0;
  for (const f of layout.fields) {
    if (typeof f === 'number') {
      if (p + f > end) fail(`${t} rdata is truncated: ${end} octets, the fixed fields need ${p + f}`);
      p += f;
      continue;
    }
    switch (f) {
      case 'name':
      case 'name+': {
        const start = p;
        p = nameEnd(r, p, end, `${t} embedded name`);
        visit?.(start, f === 'name+');
        break;
      }
      case 'str':
        p = strEnd(r, p, end, t);
        break;
      case 'strs':
        do p = strEnd(r, p, end, t);
        while (p < end);
        break;
      case 'rest':
        p = end;
        break;
      case 'rest1':
        if (p >= end) fail(`${t} rdata is truncated: its last field is empty`);
        p = end;
        break;
      case 'salt':
      case 'hash': {
        if (p >= end) fail(`${t} rdata is truncated at the ${f} length`);
        const len = r[p]!;
        if (f === 'hash' && len === 0) fail(`${t} next hashed owner is empty`);
        if (p + 1 + len > end) fail(`${t} ${f} says ${len} octets, only ${end - p - 1} left`);
        p += 1 + len;
        break;
      }
      case 'bitmap':
        checkBitmap(r, p, end, t);
        p = end;
        break;
      case 'caa-tag':
        p = checkCaaTag(r, p, end);
        break;
      case 'svcparams':
        walkSvcParams(r, p, end, t);
        p = end;
        break;
      case 'apl':
        aplItems(r, p, end);
        p = end;
        break;
      case 'loc':
        checkLoc(r);
        p = end;
        break;
      case 'gateway': {
        const start = p;
        p = ipseckeyGatewayEnd(r, r[1]!, p, end);
        if (r[1] === 3) visit?.(start, false);
        break;
      }
      case 'hip':
        p = hipServersStart(r, end);
        while (p < end) {
          const start = p;
          p = nameEnd(r, p, end, `${t} rendezvous server`);
          visit?.(start, false);
        }
        break;
      case 'a6': {
        // RFC 2874 §3.1.1: prefix length, address suffix, prefix name when the length is not 0
        if (end < 1) fail('A6 rdata is empty');
        const plen = r[0]!;
        if (plen > 128) fail(`A6 prefix length ${plen} is above 128`);
        p = 1 + Math.ceil((128 - plen) / 8);
        if (p > end) fail('A6 rdata is truncated in the address suffix');
        if (plen > 0) {
          const start = p;
          p = nameEnd(r, p, end, 'A6 prefix name');
          visit?.(start, false);
        }
        break;
      }
    }
  }
  if (p !== end) fail(`${t} rdata has ${count(end - p, 'trailing octet')} at offset ${p}`);
}

function strEnd(r: Uint8Array, p: number, end: number, t: string): number {
  if (p >= end) fail(`${t} rdata is truncated: character-string missing at offset ${p}`);
  const next = p + 1 + r[p]!;
  if (next > end) fail(`${t} character-string at offset ${p} says ${r[p]} octets, only ${end - p - 1} left`);
  return next;
}
