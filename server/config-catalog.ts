import type { Fail } from './config/error.js';
import type { ConfigFile } from './config/schema.js';
import { parseTargets, type NotifyTarget, type PrimaryTarget, type ReplicationConfig } from './config-replication.js';

/** How members of a consumed catalog are served here: a template, per group overrides applied. */
export interface MemberTemplate {
  primaries: PrimaryTarget[];
  /** ACL rule names; undefined: defaults.acl. */
  acl: string[] | undefined;
  /** NOTIFY targets; undefined: defaults.notify. */
  notify: NotifyTarget[] | undefined;
}

export interface ConsumerConfig {
  zone: string;
  template: MemberTemplate;
  groups: Map<string, MemberTemplate>;
}

/** `catalogs`, `consumers` and the catalog keys of `zones[]`, checked and resolved (origins lowercase, trailing dot). */
export interface CatalogConfig {
  producers: Map<string, { members: 'primary' | 'listed' }>;
  /** zones[].catalog / catalogGroup by member origin. */
  assignments: Map<string, { catalog?: string; group?: string }>;
  consumers: Map<string, ConsumerConfig>;
}

export const NO_CATALOGS: CatalogConfig = { producers: new Map(), assignments: new Map(), consumers: new Map() };

const originOf = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/**
 * The references between sections: a zone naming a catalog produced here, one catalog taking
 * every primary zone, no name that is at once a catalog and another zone, template ACLs defined.
 */
export function parseCatalogs(obj: ConfigFile, replication: ReplicationConfig, fail: Fail): CatalogConfig {
  const producers = new Map<string, { members: 'primary' | 'listed' }>();
  const zoneOrigins = new Map<string, number>((obj.zones ?? []).map((z, i) => [originOf(z.origin), i]));
  let primaryCatalog: string | undefined;
  for (const [i, c] of (obj.catalogs ?? []).entries()) {
    const at = `catalogs[${i}]`;
    const zone = originOf(c.zone);
    if (producers.has(zone)) fail(`${at}.zone`, c.zone, 'is defined twice');
    if (zoneOrigins.has(zone)) fail(`${at}.zone`, c.zone, `is also zones[${zoneOrigins.get(zone)}]; a catalog's content is generated, it has no zone entry`);
    const members = c.members ?? 'primary';
    if (members === 'primary') {
      if (primaryCatalog !== undefined) fail(`${at}.members`, members, `is also what catalog ${primaryCatalog} takes; every primary zone can be listed by one catalog only (use members: listed)`);
      primaryCatalog = zone;
    }
    producers.set(zone, { members });
  }
  const assignments = new Map<string, { catalog?: string; group?: string }>();
  for (const [i, z] of (obj.zones ?? []).entries()) {
    if (z.catalog === undefined && z.catalogGroup === undefined) continue;
    const at = `zones[${i}]`;
    if (z.primaries !== undefined) fail(`${at}.catalog`, z.catalog ?? z.catalogGroup, 'is set for a secondary zone; catalogs produced here list primary zones');
    const a: { catalog?: string; group?: string } = {};
    if (z.catalog !== undefined) {
      const catalog = originOf(z.catalog);
      if (!producers.has(catalog)) fail(`${at}.catalog`, z.catalog, 'is not a catalog defined under catalogs');
      a.catalog = catalog;
    } else if (primaryCatalog === undefined) {
      fail(`${at}.catalogGroup`, z.catalogGroup, 'needs a catalog: set zones[].catalog, or define a catalog with members: primary');
    }
    if (z.catalogGroup !== undefined) a.group = z.catalogGroup;
    assignments.set(originOf(z.origin), a);
  }
  const consumers = new Map<string, ConsumerConfig>();
  for (const [i, c] of (obj.consumers ?? []).entries()) {
    const at = `consumers[${i}]`;
    const zone = originOf(c.zone);
    if (consumers.has(zone)) fail(`${at}.zone`, c.zone, 'is defined twice');
    if (producers.has(zone)) fail(`${at}.zone`, c.zone, 'is also a catalog produced here (catalogs)');
    if (zoneOrigins.has(zone)) fail(`${at}.zone`, c.zone, `is also zones[${zoneOrigins.get(zone)}]; a consumed catalog is configured here only`);
    const catalogPrimaries = replication.secondaries.get(zone)!;
    const template = memberTemplate(c.template, `${at}.template`, { primaries: catalogPrimaries, acl: undefined, notify: undefined }, replication, fail);
    const groups = new Map<string, MemberTemplate>();
    for (const [group, overrides] of Object.entries(c.groups ?? {})) {
      groups.set(group, memberTemplate(overrides, `${at}.groups.${group}`, template, replication, fail));
    }
    consumers.set(zone, { zone, template, groups });
  }
  return { producers, assignments, consumers };
}

type TemplateFile = NonNullable<NonNullable<ConfigFile['consumers']>[number]['template']>;

function memberTemplate(t: TemplateFile | undefined, at: string, base: MemberTemplate, replication: ReplicationConfig, fail: Fail): MemberTemplate {
  if (t === undefined) return base;
  const out: MemberTemplate = { ...base };
  if (t.primaries !== undefined) out.primaries = parseTargets(t.primaries, `${at}.primaries`, replication.keyring, fail);
  if (t.acl !== undefined) {
    const names = Array.isArray(t.acl) ? t.acl : [t.acl];
    for (const [j, n] of names.entries()) if (!replication.rules.has(n)) fail(Array.isArray(t.acl) ? `${at}.acl[${j}]` : `${at}.acl`, n, 'is not an ACL defined under acls');
    out.acl = names;
  }
  if (t.notify !== undefined) out.notify = parseTargets(t.notify, `${at}.notify`, replication.keyring, fail);
  return out;
}

/** The template a member gets: its group's, else the consumer's. */
export function templateFor(consumer: ConsumerConfig, group: string | undefined): MemberTemplate {
  return (group !== undefined ? consumer.groups.get(group) : undefined) ?? consumer.template;
}
