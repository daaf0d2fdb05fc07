/**
 * Node → records, as kube-node-dns does: every ready, schedulable node matching the selector
 * publishes its globally reachable addresses under the shared names (`nodes.names`) and under its own
 * name (`nodes.perNode`, `{name}` replaced by the node's name). A node NotReady, cordoned
 * (spec.unschedulable) or left without a globally reachable address publishes nothing, so its
 * addresses leave the shared names.
 */
import { isIP } from 'node:net';
import { reachability } from '../global-address.js';
import { commaList, NODE_ADDRESSES_ANNOTATION } from './annotations.js';
import { RecordBuilder } from './builder.js';
import { matchesSelector, type Requirement } from './selector.js';
import type { MappingOptions, Node, ObjectRecords } from './types.js';

export type NodeAddressSource = 'ExternalIP' | 'InternalIP' | 'annotation';

export interface NodeOptions {
  labelSelector: readonly Requirement[];
  /** Names every published node's addresses go under (absolute). */
  names: readonly string[];
  /** Per-node name template, `{name}` replaced by the node's name; empty for none. */
  perNode: string;
  addressTypes: readonly NodeAddressSource[];
}

export function nodeRecords(node: Node, nodeOptions: NodeOptions, options: MappingOptions): ObjectRecords {
  const builder = new RecordBuilder('Node', node.metadata, options);
  if (!matchesSelector(nodeOptions.labelSelector, node.metadata.labels)) {
    builder.refuse('metadata.labels', JSON.stringify(node.metadata.labels ?? {}), 'does not match nodes.labelSelector');
    return builder.result();
  }
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True') {
    builder.refuse('status.conditions[Ready]', ready?.status ?? 'absent', 'the node is not Ready');
    return builder.result();
  }
  if (node.spec?.unschedulable === true) {
    builder.refuse('spec.unschedulable', 'true', 'the node is cordoned');
    return builder.result();
  }
  const addresses = globalAddresses(builder, node, nodeOptions.addressTypes);
  if (addresses.length === 0) {
    builder.refuse('status.addresses', '', `no globally reachable address among ${nodeOptions.addressTypes.join(', ')}`);
    return builder.result();
  }
  const names: string[] = [];
  for (const shared of nodeOptions.names) {
    const name = builder.nameIn('nodes.names', shared);
    if (name !== undefined) names.push(name);
  }
  if (nodeOptions.perNode !== '') {
    const text = nodeOptions.perNode.replaceAll('{name}', node.metadata.name);
    const name = builder.nameIn('nodes.perNode', text);
    if (name !== undefined) names.push(name);
  }
  for (const name of names) {
    for (const address of addresses) {
      builder.add('status.addresses', { name, type: isIP(address) === 4 ? 'A' : 'AAAA', ttl: options.defaultTtl, rdata: address });
    }
  }
  return builder.result();
}

/** The node's addresses of the configured sources that the IANA registries call globally reachable. */
function globalAddresses(builder: RecordBuilder, node: Node, sources: readonly NodeAddressSource[]): string[] {
  const candidates: { field: string; address: string }[] = [];
  for (const address of node.status?.addresses ?? []) {
    if (address.type === 'ExternalIP' || address.type === 'InternalIP') {
      if (sources.includes(address.type)) candidates.push({ field: `status.addresses[${address.type}]`, address: address.address });
    }
  }
  if (sources.includes('annotation')) {
    for (const address of commaList(node.metadata.annotations?.[NODE_ADDRESSES_ANNOTATION])) {
      candidates.push({ field: `metadata.annotations["${NODE_ADDRESSES_ANNOTATION}"]`, address });
    }
  }
  const out: string[] = [];
  for (const { field, address } of candidates) {
    const verdict = reachability(address);
    if (!verdict.global) {
      builder.refuse(field, address, `not globally reachable: ${verdict.why}`);
      continue;
    }
    const text = isIP(address) === 6 ? address.toLowerCase() : address;
    if (!out.includes(text)) out.push(text);
  }
  return out;
}
