/**
 * The node addresses a NodePort Service publishes, as ExternalDNS's extractNodePortTargets
 * (source/service.go): `access: public` → ExternalIP addresses, `private` → InternalIP; without
 * the annotation, the ExternalIP addresses when any node has one, else the InternalIP ones.
 */
import { targetOf, type Access, type Target } from './annotations.js';
import type { Node } from './types.js';

export function nodePortTargets(nodes: readonly Node[], access: Access): Target[] {
  const external: string[] = [];
  const internal: string[] = [];
  for (const node of nodes) {
    for (const address of node.status?.addresses ?? []) {
      if (address.type === 'ExternalIP') external.push(address.address);
      else if (address.type === 'InternalIP') internal.push(address.address);
    }
  }
  const chosen = access === 'public' ? external : access === 'private' ? internal : external.length > 0 ? external : internal;
  return [...new Set(chosen)].map(targetOf).filter((target) => target.type !== 'CNAME');
}
