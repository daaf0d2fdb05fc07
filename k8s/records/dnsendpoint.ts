/**
 * DNSEndpoint (ExternalDNS's CRD externaldns.k8s.io/v1alpha1, source/crd.go and endpoint/endpoint.go)
 * → records: each spec.endpoints[] entry is a name, a type, its targets and a TTL. Targets are
 * checked per type (endpoint.CheckEndpoint does the same for MX and SRV) and written in presentation form.
 */
import { isIP } from 'node:net';
import { RecordBuilder } from './builder.js';
import { absoluteName, zoneOf } from './names.js';
import type { DNSEndpoint, K8sRecord, MappingOptions, ObjectRecords } from './types.js';

const TTL_MAX = 2 ** 31 - 1;
type RecordType = K8sRecord['type'];
const TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME', 'TXT', 'SRV', 'MX', 'NS', 'PTR'];

export function dnsEndpointRecords(object: DNSEndpoint, options: MappingOptions): ObjectRecords {
  const builder = new RecordBuilder('DNSEndpoint', object.metadata, options);
  const pending: { field: string; record: K8sRecord }[] = [];
  (object.spec?.endpoints ?? []).forEach((endpoint, i) => {
    const field = `spec.endpoints[${i}]`;
    const name = builder.nameIn(`${field}.dnsName`, endpoint.dnsName ?? '');
    if (name === undefined) return;
    const type = TYPES.find((t) => t === endpoint.recordType?.toUpperCase());
    if (type === undefined) return builder.refuse(`${field}.recordType`, endpoint.recordType ?? '', `not one of ${TYPES.join(', ')}`);
    let ttl = options.defaultTtl;
    const recordTtl = endpoint.recordTTL;
    if (recordTtl !== undefined && recordTtl !== 0) {
      if (Number.isInteger(recordTtl) && recordTtl > 0 && recordTtl <= TTL_MAX) ttl = recordTtl;
      else builder.refuse(`${field}.recordTTL`, String(recordTtl), `must be between 1 and ${TTL_MAX}; the default TTL applies`);
    }
    const targets = endpoint.targets ?? [];
    if (targets.length === 0) return builder.refuse(`${field}.targets`, '', 'no target');
    if (type === 'CNAME' && targets.length > 1) {
      return builder.refuse(`${field}.targets`, targets.join(','), 'a name holds one CNAME (RFC 2181 §10.1)');
    }
    if (type === 'CNAME' && zoneOf(name, options.zones) === name) {
      return builder.refuse(`${field}.dnsName`, name, 'a CNAME cannot be at a zone apex (RFC 1034 §3.6.2)');
    }
    targets.forEach((target, j) => {
      const rdata = presentation(type, target);
      if (typeof rdata === 'object') builder.refuse(`${field}.targets[${j}]`, target, rdata.error);
      else pending.push({ field: `${field}.targets[${j}]`, record: { name, type, ttl, rdata } });
    });
  });
  // RFC 1034 §3.6.2: a CNAME cannot sit beside other data at its name; the other data wins.
  const withOtherData = new Set(pending.filter((p) => p.record.type !== 'CNAME').map((p) => p.record.name));
  for (const { field, record } of pending) {
    if (record.type === 'CNAME' && withOtherData.has(record.name)) {
      builder.refuse(field, record.rdata, `${record.name} has other records; a CNAME cannot sit beside them (RFC 1034 §3.6.2)`);
    } else {
      builder.add(field, record);
    }
  }
  return builder.result();
}

/** The target as rdata in presentation form, or why it is not valid for the type. */
export function presentation(type: RecordType, target: string): string | { error: string } {
  const hostname = (text: string): string | { error: string } => absoluteName(text) ?? { error: `"${text}" is not a hostname` };
  switch (type) {
    case 'A':
      return isIP(target) === 4 ? target : { error: 'not an IPv4 address' };
    case 'AAAA':
      return isIP(target) === 6 && !target.includes('%') ? target.toLowerCase() : { error: 'not an IPv6 address' };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return hostname(target);
    case 'MX': {
      const [preference, exchange, ...rest] = target.trim().split(/\s+/);
      if (rest.length > 0 || exchange === undefined || !isUint16(preference)) return { error: 'MX is "<preference 0-65535> <exchange>"' };
      const host = hostname(exchange);
      return typeof host === 'object' ? host : `${Number(preference)} ${host}`;
    }
    case 'SRV': {
      const [priority, weight, port, host, ...rest] = target.trim().split(/\s+/);
      if (rest.length > 0 || host === undefined || ![priority, weight, port].every(isUint16)) {
        return { error: 'SRV is "<priority> <weight> <port> <target>", numbers 0-65535 (RFC 2782)' };
      }
      // RFC 2782: a target of "." means the service is decidedly not available here.
      const targetName = host === '.' ? '.' : hostname(host);
      return typeof targetName === 'object' ? targetName : `${Number(priority)} ${Number(weight)} ${Number(port)} ${targetName}`;
    }
    case 'TXT':
      return txtPresentation(target);
  }
}

/** One TXT target as quoted character-strings of at most 255 octets each (RFC 1035 §3.3.14). */
export function txtPresentation(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: string[] = [];
  for (let at = 0; at < bytes.length || chunks.length === 0; at += 255) {
    let quoted = '"';
    for (const byte of bytes.subarray(at, at + 255)) {
      if (byte === 0x22 || byte === 0x5c) quoted += `\\${String.fromCharCode(byte)}`;
      else if (byte < 0x20 || byte > 0x7e) quoted += `\\${byte.toString().padStart(3, '0')}`;
      else quoted += String.fromCharCode(byte);
    }
    chunks.push(`${quoted}"`);
    if (bytes.length === 0) break;
  }
  return chunks.join(' ');
}

function isUint16(text: string | undefined): boolean {
  return text !== undefined && /^[0-9]{1,5}$/.test(text) && Number(text) <= 65535;
}
