/**
 * Ingress (networking.k8s.io/v1) → records, as ExternalDNS's source/ingress.go (endpointsFromIngress):
 * the names are spec.rules[].host, spec.tls[].hosts and the hostname annotation; the targets are the
 * target annotation when present, else status.loadBalancer.ingress (ip → A/AAAA, hostname → CNAME).
 */
import { commaList, HOSTNAME_ANNOTATION, type Target, targetOf, targetsFromAnnotation, TARGET_ANNOTATION } from './annotations.js';
import { RecordBuilder } from './builder.js';
import { addTargets } from './targets.js';
import type { Ingress, MappingOptions, ObjectRecords } from './types.js';

export function ingressRecords(ingress: Ingress, options: MappingOptions): ObjectRecords {
  const builder = new RecordBuilder('Ingress', ingress.metadata, options);
  const annotations = ingress.metadata.annotations;
  const ttl = builder.ttl();

  const hosts: { field: string; host: string }[] = [];
  (ingress.spec?.rules ?? []).forEach((rule, i) => {
    // a rule without host matches every host: it names nothing
    if (rule.host !== undefined && rule.host !== '') hosts.push({ field: `spec.rules[${i}].host`, host: rule.host });
  });
  (ingress.spec?.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      if (host !== '') hosts.push({ field: `spec.tls[${i}].hosts[${j}]`, host });
    });
  });
  for (const host of commaList(annotations?.[HOSTNAME_ANNOTATION])) {
    hosts.push({ field: `metadata.annotations["${HOSTNAME_ANNOTATION}"]`, host });
  }

  const override = targetsFromAnnotation(annotations);
  const targets = override.length > 0 ? override : statusTargets(ingress);
  const targetField = override.length > 0 ? `metadata.annotations["${TARGET_ANNOTATION}"]` : 'status.loadBalancer.ingress';
  const names = new Set<string>();
  for (const { field, host } of hosts) {
    const name = builder.nameIn(field, host);
    if (name !== undefined) names.add(name);
  }
  if (names.size > 0 && targets.length === 0) {
    builder.refuse(targetField, '', 'the Ingress has no load-balancer address yet');
    return builder.result();
  }
  for (const name of names) addTargets(builder, targetField, name, targets, ttl, options.zones);
  return builder.result();
}

function statusTargets(ingress: Ingress): Target[] {
  const out: Target[] = [];
  for (const lb of ingress.status?.loadBalancer?.ingress ?? []) {
    if (lb.ip !== undefined && lb.ip !== '') out.push(targetOf(lb.ip));
    if (lb.hostname !== undefined && lb.hostname !== '') out.push(targetOf(lb.hostname));
  }
  return out;
}
