import { nameToKey, nameToText } from '../../zones/name.js';
import { ApiError, invalid } from './errors.js';
import { parseAbsoluteName } from './input.js';
import type { RRsetInput } from './patch.js';
import type { CreateZone } from './routes-zones.js';

/** One rrset as PowerDNS clients send it (Terraform adds name/type/ttl to each record; comments are ignored). */
export interface PdnsRRsetInput {
  name: string;
  type: string;
  ttl?: number;
  changetype?: string;
  records?: { content: string; disabled?: boolean; 'set-ptr'?: boolean }[] | null;
  comments?: unknown[] | null;
}

/** A POST body: PowerDNS's Zone object; the fields not read here (masters, soa_edit_api, account...) are ignored. */
export interface PdnsZoneInput {
  name: string;
  kind?: string;
  nameservers?: string[];
  rrsets?: PdnsRRsetInput[];
  zone?: string;
  serial?: number;
  dnssec?: boolean;
}

/**
 * The meshdns input made from a PowerDNS request, and for each of its rrsets the index of the
 * request rrset it came from (`from`), so an error names the field the client sent.
 */
export interface Translated<T> {
  input: T;
  from: number[];
}

/**
 * A PowerDNS PATCH → the meshdns PATCH, PowerDNS's rules applied first: the changetype in any case;
 * DELETE drops the whole RRset whatever `ttl` and `records` say (ExternalDNS and octoDNS send them);
 * REPLACE with no `records` key changes only comments, so nothing here; REPLACE with `records: []`
 * deletes. An rrset repeated with the same changetype is refused as PowerDNS refuses it; with
 * another changetype the later one wins (PowerDNS applies them in order: DELETE then REPLACE is a
 * REPLACE).
 */
export function pdnsPatch(rrsets: readonly PdnsRRsetInput[]): Translated<RRsetInput[]> {
  const input: RRsetInput[] = [];
  const from: number[] = [];
  const seen = new Map<string, { slot: number }>();
  const changes = new Map<string, number>();
  rrsets.forEach((rs, i) => {
    const at = `rrsets[${i}]`;
    const changetype = changetypeOf(rs, at);
    const id = `${nameToKey(parseAbsoluteName(rs.name, `${at}.name`)).toString('latin1')}|${rs.type.toUpperCase()}`;
    const same = changes.get(`${id}|${changetype}`);
    if (same !== undefined) {
      throw invalid(at, `${rs.name} ${rs.type}`, `repeats rrsets[${same}] with the same changetype ${changetype} (PowerDNS refuses a duplicate RRset)`);
    }
    changes.set(`${id}|${changetype}`, i);
    const before = seen.get(id);
    let one: RRsetInput | undefined;
    // (`records: null` is no records key, as for PowerDNS)
    if (changetype === 'DELETE' || (rs.records != null && rs.records.length === 0)) {
      one = { name: rs.name, type: rs.type, changetype: 'DELETE' };
    } else if (rs.records != null) {
      one = { name: rs.name, type: rs.type, changetype: 'REPLACE', records: records(rs, at) };
      if (rs.ttl !== undefined) one.ttl = rs.ttl;
    }
    // comments only: the records stay as the request has left them so far
    if (one === undefined) return;
    if (before !== undefined) {
      // the earlier change of this RRset is superseded by this one
      input.splice(before.slot, 1);
      from.splice(before.slot, 1);
      for (const s of seen.values()) if (s.slot > before.slot) s.slot--;
    }
    seen.set(id, { slot: input.length });
    input.push(one);
    from.push(i);
  });
  return { input, from };
}

/**
 * A PowerDNS zone creation → the meshdns one. Without an SOA in `rrsets` one is made as PowerDNS
 * makes it (default-soa-content: the first nameserver, hostmaster@zone, `serial`, 10800 3600 604800
 * 3600); `nameservers` and an apex NS RRset are not mixed, and a zone with neither is refused.
 */
export function pdnsCreate(body: PdnsZoneInput): Translated<CreateZone> {
  const kind = (body.kind ?? 'Native').toUpperCase();
  if (!['NATIVE', 'MASTER', 'PRIMARY'].includes(kind)) {
    throw invalid('kind', body.kind, 'cannot be created here: only primary zones (Native or Master) are made through the API; secondary zones are configured in the config file');
  }
  if (body.dnssec === true) throw invalid('dnssec', true, 'is not switched on through the API here; a zone is signed by a dnssec policy in the config file');
  const origin = parseAbsoluteName(body.name, 'name');
  const originKey = nameToKey(origin);
  const nameservers = body.nameservers ?? [];
  nameservers.forEach((ns, i) => parseAbsoluteName(ns, `nameservers[${i}]`));
  if (body.zone !== undefined) {
    if (body.rrsets !== undefined && body.rrsets.length > 0) throw invalid('zone', undefined, 'and rrsets are both given; send one of them');
    return { input: { name: body.name, zone: body.zone, ...(nameservers.length > 0 ? { nameservers } : {}) }, from: [] };
  }
  const input: RRsetInput[] = [];
  const from: number[] = [];
  let apexNS: string | undefined;
  let hasSOA = false;
  (body.rrsets ?? []).forEach((rs, i) => {
    const at = `rrsets[${i}]`;
    if (changetypeOf(rs, at) !== 'REPLACE') throw invalid(`${at}.changetype`, rs.changetype, 'must be REPLACE (or absent) when a zone is created');
    const list = records(rs, at);
    if (list.length === 0) return;
    const atApex = nameToKey(parseAbsoluteName(rs.name, `${at}.name`)).equals(originKey);
    const type = rs.type.toUpperCase();
    if (atApex && type === 'SOA') hasSOA = true;
    if (atApex && type === 'NS') apexNS ??= list[0]!.content;
    input.push({ name: rs.name, type: rs.type, changetype: 'REPLACE', records: list, ...(rs.ttl !== undefined ? { ttl: rs.ttl } : {}) });
    from.push(i);
  });
  if (nameservers.length > 0 && apexNS !== undefined) {
    throw invalid('nameservers', nameservers, 'and an NS RRset at the apex in rrsets are both given; send the NS records one way');
  }
  const mname = nameservers[0] ?? apexNS;
  if (mname === undefined) throw invalid('nameservers', nameservers, 'is empty and rrsets have no NS RRset at the apex: a zone needs its NS records');
  if (!hasSOA) {
    const zone = nameToText(origin);
    const serial = body.serial !== undefined && body.serial > 0 ? body.serial : 1;
    input.push({ name: zone, type: 'SOA', ttl: 3600, changetype: 'REPLACE', records: [{ content: `${mname} hostmaster.${zone} ${serial} 10800 3600 604800 3600` }] });
  }
  return { input: { name: body.name, rrsets: input, ...(nameservers.length > 0 ? { nameservers } : {}) }, from };
}

/** An error about the meshdns input, pointed at the rrset of the PowerDNS request it came from. */
export function inRequestTerms(err: unknown, from: readonly number[]): unknown {
  if (!(err instanceof ApiError)) return err;
  const remap = (field: string) => field.replace(/^rrsets\[(\d+)\](.*)$/, (_whole, k: string, rest: string) => {
    const original = from[Number(k)];
    // (an rrset the server made, the SOA of a new zone, is no part of the request)
    return original === undefined ? 'rrsets' : `rrsets[${original}]${rest}`;
  });
  if (err.field === undefined) return err;
  return new ApiError(err.status, remap(err.field), err.value, err.reason, err.problems?.map((p) => ({ field: remap(p.field), reason: p.reason })));
}

function changetypeOf(rs: PdnsRRsetInput, at: string): string {
  const changetype = (rs.changetype ?? 'REPLACE').toUpperCase();
  if (changetype !== 'REPLACE' && changetype !== 'DELETE') throw invalid(`${at}.changetype`, rs.changetype, 'must be REPLACE or DELETE');
  return changetype;
}

function records(rs: PdnsRRsetInput, at: string): { content: string; disabled?: boolean }[] {
  return (rs.records ?? []).map((r, j) => {
    // set-ptr made a PTR in another zone; PowerDNS 4.3 removed it
    if (r['set-ptr'] === true) throw invalid(`${at}.records[${j}].set-ptr`, true, 'is not supported (PowerDNS removed it in 4.3); add the PTR record to its reverse zone');
    return r.disabled === undefined ? { content: r.content } : { content: r.content, disabled: r.disabled };
  });
}
