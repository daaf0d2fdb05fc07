import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULT_LIMITS } from '../../zones/limits.js';
import { DEFAULT_JOURNAL_LIMITS } from '../../zones/store/journal.js';
import { TSIG_ALGORITHMS } from '../tsig/keys.js';
import { DEFAULTS } from './defaults.js';
import { ACL_ACTIONS, LISTEN_TRANSPORTS, LOG_LEVELS, PRIMARY_TRANSPORTS, SERIAL_POLICIES, UPCOMING_TRANSPORTS } from './values.js';

/**
 * The whole of meshdns.yaml, described once: the schema pass validates with it (ajv), editors
 * complete and check with it (`meshdns config schema`), and `ConfigFile` types what passed.
 *
 * Besides JSON Schema's own keywords, two annotations of ours (ajv is told about them; an editor
 * ignores them): `errorMessage`, the "why" of any error on that node (`must be a mapping {…}`), and
 * `upcoming`, enum values a later version will take ("transport "tls" is not available in this
 * version" rather than "must be one of udp, tcp"). Secrets carry `writeOnly`: their values are never
 * quoted in a message. What JSON Schema cannot say — IP:port syntax, domain names, sizes, references
 * between sections — is checked by code after this pass (server/config.ts, config-replication.ts).
 */

/** A string out of a fixed list, as `{type: string, enum}` (TypeBox's literal unions become anyOf). */
function oneOf<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const text = (description: string, options: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, description, ...options });

/** A mapping that refuses keys it does not know (a typo never silently does nothing). */
function mapping<T extends Record<string, TSchema>>(properties: T, description: string, options: Record<string, unknown> = {}) {
  return Type.Object(properties, { additionalProperties: false, description, ...options });
}

/** `key: a` or `key: [a, b]` (a YAML habit the ACL keys allow). */
function stringOrList<T extends TSchema>(item: T, description: string) {
  return Type.Union([item, Type.Array(item)], { description, errorMessage: 'must be a string or a list of strings' });
}

const ADDR_PORT = 'ADDR:PORT, IPv6 in brackets: "127.0.0.1:5300", "[::1]:5300"';
const addrPort = (description: string) => Type.String({ description: `${description} (${ADDR_PORT})`, examples: ['127.0.0.1:5300', '[::1]:5300'] });

const serialPolicy = (description: string) =>
  oneOf(SERIAL_POLICIES, { description: `${description}: increment, unixtime (seconds since 1970) or dateserial (YYYYMMDDnn)` });

const ListenEntry = Type.Union([
  addrPort('UDP and TCP on this address'),
  mapping({
    address: addrPort('Where to listen'),
    transport: oneOf(LISTEN_TRANSPORTS, { description: 'udp, tcp, tls (DNS over TLS, RFC 7858) or quic (DNS over QUIC, RFC 9250)', upcoming: [...UPCOMING_TRANSPORTS] }),
  }, 'One transport on one address', { errorMessage: 'must be a mapping {address, transport}' }),
], { errorMessage: `must be "ADDR:PORT" or a mapping {address: "ADDR:PORT", transport: udp | tcp | tls | quic}` });

/** base64 of a SHA-256 digest: 32 octets, 44 characters with one "=". */
const PIN_PATTERN = '^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$';

const Tls = mapping({
  certFile: Type.Optional(text('The certificate chain (PEM), the server\'s own first; with keyFile. Absent: a self-signed ECDSA P-256 certificate is made once and kept in the data folder (LMDB)')),
  keyFile: Type.Optional(text('The private key (PEM) of certFile')),
  reloadOnChange: Type.Optional(Type.Boolean({ default: true, description: 'Watch certFile and keyFile and use new ones for new connections (cert-manager rotation); open connections are kept' })),
  handshakeTimeout: Type.Optional(Type.Number({
    minimum: 0.1, maximum: 60, default: 5,
    description: 'Seconds a client may take to finish the TLS handshake before the connection is closed',
    errorMessage: 'must be a number of seconds from 0.1 to 60',
  })),
}, 'The certificate of the tls and quic listeners (and its SPKI pin, logged at start and shown by `meshdns tls pin`)');

const SIZE_WHY = 'must be a size from 1K to 64G (bytes, or a number with K, M or G)';
const Journal = mapping({
  maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Commits kept per zone for IXFR', default: DEFAULT_JOURNAL_LIMITS.maxDepth })),
  maxSize: Type.Optional(Type.Union([
    Type.Integer({ minimum: 1024, errorMessage: SIZE_WHY }),
    Type.String({ pattern: '^[0-9]+\\s*[KMGkmg]?[iI]?[bB]?$', errorMessage: SIZE_WHY }),
  ], { description: 'Bytes kept per zone for IXFR: a number, or with K, M or G (1K to 64G)', default: '100M', errorMessage: SIZE_WHY })),
}, 'IXFR history kept per zone; the oldest commits are pruned first');

const Target = (primaries: boolean) => mapping({
  address: addrPort(primaries ? 'The primary to transfer from' : 'Where NOTIFY is sent'),
  key: Type.Optional(text('A TSIG key defined under keys that signs the messages')),
  ...(primaries ? {
    idleTimeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 10, description: 'Seconds a transfer may go without receiving anything before it is given up', errorMessage: 'must be a number of seconds, more than 0 and at most 3600' })),
    transport: Type.Optional(oneOf(PRIMARY_TRANSPORTS, { default: 'tcp', description: 'How transfers (AXFR, IXFR) reach this primary: tcp, tls (XoT, RFC 9103) or quic (XoQ, RFC 9250); SOA queries and NOTIFY stay on UDP/TCP' })),
    pin: Type.Optional(Type.String({ pattern: PIN_PATTERN, description: 'tls/quic: the primary\'s SPKI pin, base64 of the SHA-256 of its SubjectPublicKeyInfo (kdig +tls-pin, Knot cert-key); a certificate with another key fails the transfer', errorMessage: 'must be base64 of a SHA-256 digest (44 characters ending in "=")' })),
    caFile: Type.Optional(text('tls/quic: CA certificates (PEM) the primary\'s certificate must chain to; with hostname')),
    hostname: Type.Optional(text('tls/quic: the name the primary\'s certificate must carry (checked against caFile, or the system CAs without it); without pin or hostname the connection is opportunistic: encrypted, not authenticated, and logged as such')),
  } : {}),
}, primaries ? 'A primary server of a secondary zone' : 'A NOTIFY target (RFC 1996)');

const aclNames = (description: string) => stringOrList(text('The name of an ACL defined under acls'), description);

const dnssecChoice = (description: string) => Type.Union([
  Type.Literal(false, { description: 'Not signed here' }),
  text('The name of a policy defined under policies'),
], { description, errorMessage: 'must be a policy name or false' });

const Zone = mapping({
  origin: text('The zone name; the trailing dot is optional', { examples: ['example.test.'] }),
  file: Type.Optional(text('A zone file to serve (relative to the directory meshdns starts in); not for a secondary zone')),
  serialPolicy: Type.Optional(serialPolicy('How a new serial is made when the zone changes without a higher one')),
  acl: Type.Optional(aclNames('ACL rules for this zone, in order (instead of defaults.acl); [] allows nothing')),
  notify: Type.Optional(Type.Array(Target(false), { description: 'NOTIFY targets for this zone (instead of defaults.notify)' })),
  primaries: Type.Optional(Type.Array(Target(true), { minItems: 1, description: 'Makes this a secondary zone: primaries to transfer from, tried in order', errorMessage: 'must name at least one primary' })),
  journal: Type.Optional(Journal),
  dnssec: Type.Optional(dnssecChoice('The DNSSEC policy that signs this zone (instead of defaults.dnssec), or false')),
  catalog: Type.Optional(text('The catalog (one under catalogs) that lists this zone; needed for a catalog with members: listed', { examples: ['catalog.site-a.mesh.'] })),
  catalogGroup: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The RFC 9432 group property written for this zone in its catalog (consumers pick a template by it)' })),
}, 'Settings of one zone; zones found in zoneDir need no entry');

const MemberTemplate = (description: string) => mapping({
  primaries: Type.Optional(Type.Array(Target(true), { minItems: 1, description: 'Where member zones are transferred from, tried in order (default: the catalog\'s primaries)', errorMessage: 'must name at least one primary' })),
  acl: Type.Optional(aclNames('ACL rules of the member zones (instead of defaults.acl); [] allows nothing')),
  notify: Type.Optional(Type.Array(Target(false), { description: 'NOTIFY targets of the member zones (instead of defaults.notify)' })),
  dnssec: Type.Optional(Type.Literal(false, { description: 'Member zones are secondaries: never signed here', errorMessage: 'must be false: member zones of a consumed catalog are secondary zones, which meshdns does not sign' })),
}, description);

const ProducedCatalog = mapping({
  zone: text('The catalog zone\'s name', { examples: ['catalog.site-a.mesh.'] }),
  members: Type.Optional(oneOf(['primary', 'listed'] as const, { default: 'primary', description: 'primary: every primary zone of this server is a member; listed: only zones whose zones[].catalog names this catalog' })),
  acl: Type.Optional(aclNames('ACL rules of the catalog zone: who may transfer it, and the only clients answered for it')),
  notify: Type.Optional(Type.Array(Target(false), { description: 'NOTIFY targets of the catalog (instead of defaults.notify)' })),
}, 'A catalog zone (RFC 9432) this server produces: Knot\'s catalog-role: generate');

const ConsumedCatalog = mapping({
  zone: text('The catalog zone\'s name', { examples: ['catalog.site-b.mesh.'] }),
  primaries: Type.Array(Target(true), { minItems: 1, description: 'Where the catalog is transferred from, tried in order', errorMessage: 'must name at least one primary' }),
  template: Type.Optional(MemberTemplate('How members become secondary zones here')),
  groups: Type.Optional(Type.Record(Type.String({ minLength: 1 }), MemberTemplate('Overrides of the template for members with this group property'), {
    description: 'RFC 9432 group property → template overrides',
  })),
}, 'A catalog zone (RFC 9432) this server consumes: its members become secondary zones here (Knot\'s catalog-role: interpret)');

const Key = mapping({
  name: text('The key name as the peers know it', { examples: ['transfer-key.'] }),
  algorithm: Type.Optional(oneOf(Object.keys(TSIG_ALGORITHMS) as (keyof typeof TSIG_ALGORITHMS)[], { default: 'hmac-sha256', description: 'The HMAC algorithm' })),
  secret: Type.Optional(Type.String({ writeOnly: true, description: 'The shared secret, base64 of at least 16 octets (never logged); or secretFile' })),
  secretFile: Type.Optional(text('A file holding the base64 secret (instead of secret)')),
}, 'A TSIG key (RFC 8945)');

const Acl = mapping({
  name: text('The rule name that defaults.acl and zones[].acl refer to'),
  address: Type.Optional(stringOrList(text('An address or prefix: 192.0.2.0/24, 2001:db8::/32'), 'Client addresses the rule matches; empty or absent: any')),
  key: Type.Optional(stringOrList(text('A key defined under keys'), 'When given, the request must be signed with one of these keys')),
  action: stringOrList(oneOf(ACL_ACTIONS), 'What the rule allows (or denies): transfer, notify, update'),
  deny: Type.Optional(Type.Boolean({ default: false, description: 'true: a match refuses instead of allowing' })),
  transport: Type.Optional(stringOrList(oneOf(LISTEN_TRANSPORTS), 'When given, the request must arrive over one of these transports (transport: [tls, quic] requires an encrypted one, RFC 9103 strict)')),
}, 'An ACL rule; the first matching rule wins, nothing matched is denied');

const DURATION_WHY = 'must be a duration: seconds, or a number with s, m, h, d or w ("30d", "1h", "90m")';
const duration = (description: string, fallback: string | number) => Type.Union([
  Type.Integer({ minimum: 0, errorMessage: DURATION_WHY }),
  Type.String({ pattern: '^\\s*([0-9]+[smhdwSMHDW]?)+\\s*$', errorMessage: DURATION_WHY }),
], { description, default: fallback, errorMessage: DURATION_WHY });

const Policy = mapping({
  name: text('The policy name that defaults.dnssec and zones[].dnssec refer to'),
  algorithm: Type.Optional(oneOf(['ecdsap256sha256', 'ed25519', 'rsasha256'] as const, { default: 'ecdsap256sha256', description: 'ecdsap256sha256 (13), ed25519 (15) or rsasha256 (8)' })),
  keySize: Type.Optional(Type.Integer({ minimum: 1024, maximum: 4096, default: 2048, description: 'RSA modulus bits (rsasha256 only)' })),
  keys: Type.Optional(oneOf(['csk', 'ksk+zsk'] as const, { default: 'csk', description: 'One combined signing key, or a KSK and a ZSK' })),
  zskLifetime: Type.Optional(duration('How long a ZSK (or CSK) signs before it is rolled; 0: never automatically', '30d')),
  kskLifetime: Type.Optional(duration('How long a KSK signs before it is rolled; 0: never automatically', 0)),
  rrsigValidity: Type.Optional(duration('Validity of a new signature', '14d')),
  rrsigRefresh: Type.Optional(duration('Signatures with less than this left are made again', '7d')),
  denial: Type.Optional(oneOf(['nsec', 'nsec3'] as const, { default: 'nsec', description: 'Authenticated denial: NSEC (RFC 4034) or NSEC3 (RFC 5155)' })),
  nsec3: Type.Optional(mapping({
    iterations: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'Extra hash iterations (RFC 9276: 0)' })),
    saltLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, default: 0, description: 'Salt octets (RFC 9276: 0)' })),
    optOut: Type.Optional(Type.Boolean({ default: false, description: 'Leave insecure delegations out of the chain (RFC 5155 §6)' })),
  }, 'NSEC3 parameters (RFC 9276 defaults; others warn)')),
  dnskeyTtl: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800, default: 3600, description: 'TTL of DNSKEY, CDS and CDNSKEY' })),
  cds: Type.Optional(Type.Boolean({ default: true, description: 'Publish CDS/CDNSKEY for the SEP key (RFC 7344, RFC 8078)' })),
  propagationDelay: Type.Optional(duration('Time for a change to reach every secondary; rollovers wait for it', '1h')),
  parentDsTtl: Type.Optional(duration('TTL of the DS RRset at the parent; KSK rollovers wait for it', '1d')),
  parentDsCheck: Type.Optional(mapping({
    addresses: Type.Array(addrPort('A server of the parent zone'), { minItems: 1 }),
    interval: Type.Optional(duration('How often the parent is asked', '1h')),
  }, 'Ask the parent zone\'s servers for the DS: a KSK rollover continues once the new DS is seen')),
}, 'A DNSSEC signing policy (as Knot\'s policy section)');

const KUBERNETES_SOURCES = ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint', 'gateway-httproute'] as const;
const KUBERNETES_DEFAULT_SOURCES = ['service', 'ingress', 'node', 'endpointslice', 'dnsendpoint'];
const MS_DURATION_WHY = 'must be a duration in milliseconds or seconds ("20ms", "0.5s") or a number of milliseconds';

const Kubernetes = mapping({
  kubeconfig: Type.Optional(text('A kubeconfig file (~ is the home folder); absent: the pod\'s in-cluster service account')),
  zones: Type.Array(text('A zone the watcher writes to (created when missing, with an SOA and apex NS)'), {
    minItems: 1, description: 'The only zones the watcher writes to; names outside them are refused', examples: [['k8s.site-a.mesh.']],
  }),
  nameservers: Type.Optional(Type.Array(text('A name server'), {
    description: 'Apex NS records (the first is the SOA MNAME) of a zone the watcher creates; absent: ns.<zone>', examples: [['ns1.site-a.mesh.']],
  })),
  sources: Type.Optional(Type.Array(oneOf(KUBERNETES_SOURCES), {
    uniqueItems: true, default: KUBERNETES_DEFAULT_SOURCES,
    description: 'The kinds watched: service, ingress, node, endpointslice (endpoints of headless Services), dnsendpoint (ExternalDNS\'s CRD), gateway-httproute (Gateway API HTTPRoutes and their Gateways, when the CRDs exist)',
  })),
  namespaces: Type.Optional(Type.Array(text('A namespace'), { default: [], description: 'Namespaces watched; empty: all' })),
  labelSelector: Type.Optional(Type.String({ default: '', description: 'Label selector of the objects considered at all (Services, Ingresses, DNSEndpoints), as kubectl -l' })),
  annotationFilter: Type.Optional(Type.String({ default: '', description: 'Annotation selector of the objects considered, as ExternalDNS --annotation-filter' })),
  defaultTtl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, default: 30, description: 'TTL of records whose object names none (external-dns.alpha.kubernetes.io/ttl)' })),
  publishInternal: Type.Optional(Type.Boolean({ default: false, description: 'ClusterIP Services publish their cluster IPs (ExternalDNS --publish-internal-services)' })),
  nodes: Type.Optional(mapping({
    labelSelector: Type.Optional(Type.String({ default: '', description: 'Nodes whose addresses are published' })),
    names: Type.Optional(Type.Array(text('A name'), { default: [], description: 'Every ready, schedulable node\'s globally reachable addresses under these names' })),
    perNode: Type.Optional(Type.String({ default: '', description: 'Each node\'s addresses under this name; {name} is the node name', examples: ['{name}.nodes.k8s.site-a.mesh.'] })),
    addressTypes: Type.Optional(Type.Array(oneOf(['ExternalIP', 'InternalIP', 'annotation'] as const), {
      uniqueItems: true, default: ['ExternalIP', 'annotation'],
      description: 'Where node addresses come from: status.addresses of type ExternalIP or InternalIP, and the agent\'s meshdns.io/addresses annotation; only globally reachable ones are published',
    })),
  }, 'Node addresses (what kube-node-dns publishes)')),
  debounce: Type.Optional(Type.Union([
    Type.Integer({ minimum: 0, maximum: 60000, errorMessage: MS_DURATION_WHY }),
    Type.String({ pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s)\\s*$', errorMessage: MS_DURATION_WHY }),
  ], { default: '20ms', description: 'Events within this time are committed together, as one new version of each zone', errorMessage: MS_DURATION_WHY })),
}, 'The embedded Kubernetes watcher: Services, Ingresses, Nodes, EndpointSlices and DNSEndpoints published as records (ExternalDNS annotations)');

export const ConfigFileSchema = mapping({
  listen: Type.Optional(Type.Array(ListenEntry, {
    minItems: 1, default: DEFAULTS.listen,
    description: `DNS listen addresses: "ADDR:PORT" runs UDP and TCP; {address, transport: udp | tcp | tls | quic} runs one. ${ADDR_PORT}`,
    errorMessage: 'must be a non-empty list of ADDR:PORT',
  })),
  data: Type.Optional(text('The LMDB environment folder (created if missing)', { default: DEFAULTS.data })),
  zoneDir: Type.Optional(text('A folder of <origin>.zone files, all served and watched')),
  zones: Type.Optional(Type.Array(Zone, { description: 'Per-zone settings (origin, file, serial policy, replication)' })),
  logLevel: Type.Optional(oneOf(LOG_LEVELS, { default: DEFAULTS.logLevel, description: 'The pino log level' })),
  nsid: Type.Optional(text('The RFC 5001 NSID sent when a client asks (at most 128 octets); off when absent', { maxLength: 128 })),
  maxUdpPayload: Type.Optional(Type.Integer({ minimum: 512, maximum: 65535, default: DEFAULTS.maxUdpPayload, description: 'The EDNS(0) UDP payload offered and used at most' })),
  tcp: Type.Optional(mapping({
    idleTimeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: DEFAULTS.tcpIdleTimeoutSeconds, description: 'Seconds an idle TCP connection is kept; only a whole message resets it' })),
    ioTimeout: Type.Optional(Type.Number({
      minimum: 0.05, maximum: 60, default: DEFAULTS.tcpIoTimeoutSeconds,
      description: 'Seconds one message may take from its first octet (Knot\'s tcp-io-timeout); also how long a connection must be idle before it may be closed to make room at the cap',
      errorMessage: 'must be a number of seconds from 0.05 to 60',
    })),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULTS.tcpMaxConnections, description: 'TCP connections served at once; at the cap the one idle the longest is closed for a new one' })),
    maxConnectionsPerClient: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULTS.tcpMaxConnectionsPerClient, description: 'TCP connections from one client address (IPv6: one /64)' })),
    maxUnsentBytes: Type.Optional(Type.Integer({ minimum: 16_384, maximum: 64 * 1024 * 1024, default: DEFAULTS.tcpMaxUnsentBytes, description: 'Octets of answers a connection may leave unread before the server stops reading it until they drain' })),
  }, 'DNS over TCP')),
  tls: Type.Optional(Tls),
  limits: Type.Optional(mapping({
    recordsPerRRset: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULT_LIMITS.recordsPerRRset, description: 'Records in one RRset; a change that would pass it is refused whole' })),
    recordsPerZone: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, default: DEFAULT_LIMITS.recordsPerZone, description: 'Records in one zone; a load, transfer or change that would pass it is refused whole' })),
    recordsPerRequest: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, default: DEFAULT_LIMITS.recordsPerRequest, description: 'Records one admin API request or RFC 2136 UPDATE may carry (a zone created through the API included)' })),
    generateRecords: Type.Optional(Type.Integer({ minimum: 1, maximum: 16_777_216, default: DEFAULT_LIMITS.generateRecords, description: 'Records one $GENERATE may make' })),
  }, 'What one RRset, zone, request or $GENERATE may hold')),
  udp: Type.Optional(mapping({
    batching: Type.Optional(Type.Boolean({ default: true, description: 'recvmmsg/sendmmsg through the native addon when it was built; false: node:dgram' })),
  }, 'DNS over UDP')),
  rrl: Type.Optional(mapping({
    responsesPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULTS.rrl.responsesPerSecond, description: 'Responses a second to one client prefix, per response class (an answer by name and type, NXDOMAIN and NODATA by zone, a referral by delegation, errors); also the burst' })),
    slip: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, default: DEFAULTS.rrl.slip, description: 'Every Nth limited response is sent as a truncated (TC=1) answer so a real client retries over TCP; 0 drops them all' })),
    ipv4Prefix: Type.Optional(Type.Integer({ minimum: 8, maximum: 32, default: DEFAULTS.rrl.ipv4Prefix, description: 'IPv4 clients are counted per prefix of this length' })),
    ipv6Prefix: Type.Optional(Type.Integer({ minimum: 16, maximum: 128, default: DEFAULTS.rrl.ipv6Prefix, description: 'IPv6 clients are counted per prefix of this length' })),
    exempt: Type.Optional(Type.Array(text('An address or prefix: 192.0.2.0/24, 2001:db8::/32'), { default: [], description: 'Clients never rate limited' })),
  }, 'Response rate limiting over UDP (RRL, as in Knot and BIND); off when absent, `rrl: {}` turns it on with the defaults. TCP is never limited; a client with a valid DNS COOKIE is not either')),
  cookies: Type.Optional(Type.Union([
    Type.Literal(false, { description: 'No DNS COOKIEs: the option is ignored' }),
    mapping({
      secret: Type.Optional(Type.String({ writeOnly: true, pattern: '^[0-9a-fA-F]{32}$', description: 'The server cookie secret, 32 hex digits (16 octets), the same in every process of a site (never logged); or secretFile', errorMessage: 'must be 32 hex digits (16 octets)' })),
      previousSecret: Type.Optional(Type.String({ writeOnly: true, pattern: '^[0-9a-fA-F]{32}$', description: 'The secret before the last rotation: cookies made with it are still accepted', errorMessage: 'must be 32 hex digits (16 octets)' })),
      secretFile: Type.Optional(text('A file holding the secret in hex on its first line and, during a rotation, the previous one on the second (instead of secret)')),
    }, 'DNS COOKIEs (RFC 7873, server cookies as RFC 9018)'),
  ], {
    description: 'DNS COOKIEs (RFC 7873): on by default with a secret made once and kept in <data>/cookie.secret; false turns them off',
    errorMessage: 'must be false or a mapping {secret, previousSecret, secretFile}',
  })),
  answerCacheSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, default: DEFAULTS.answerCacheSize, description: 'Encoded answers kept (0 disables the cache)' })),
  serialPolicy: Type.Optional(serialPolicy('Older place of defaults.serialPolicy (still read)')),
  admin: Type.Optional(Type.Union([
    Type.Literal(false, { description: 'No admin API' }),
    mapping({
      listen: Type.Optional(addrPort('The admin HTTP API and status page')),
      token: Type.Optional(Type.String({ writeOnly: true, description: 'The API token (never logged); or tokenFile, or MESHDNS_API_TOKEN in the environment' })),
      tokenFile: Type.Optional(text('A file holding the API token (instead of token)')),
      allowedHosts: Type.Optional(Type.Array(text('A host name, as in the Host header without the port'), {
        description: 'Host names the admin and metrics listeners answer to besides IP addresses (and localhost on loopback): a guard against DNS rebinding',
        examples: [['meshdns.example.internal']],
      })),
    }, 'The admin HTTP API'),
  ], {
    description: `The admin HTTP API and status page, on ${DEFAULTS.adminListen} unless told otherwise; false turns it off`,
    errorMessage: 'must be false or a mapping {listen, token, tokenFile, allowedHosts}',
  })),
  metrics: Type.Optional(mapping({
    listen: Type.Optional(addrPort('/metrics, /healthz and /readyz on a listener of their own (they are on the admin listener too)')),
    zoneLabels: Type.Optional(Type.Integer({
      minimum: 0, maximum: 1000, default: DEFAULTS.metricsZoneLabels,
      description: 'Zones with a zone label of their own on request and response metrics: configured zones first, then others as first answered; the rest count as "other" (read at start)',
    })),
  }, 'Prometheus metrics and health probes')),
  queryLog: Type.Optional(Type.Union([
    Type.Literal(false, { description: 'No query log' }),
    mapping({
      sample: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 1, description: 'The fraction of queries logged (0.01: one in 100)', errorMessage: 'must be a fraction above 0 and at most 1 (0.01 logs one query in 100)' })),
    }, 'The sampled query log, at info level'),
  ], { description: 'A sampled query log; off when absent', errorMessage: 'must be false or a mapping {sample}' })),
  keys: Type.Optional(Type.Array(Key, { description: 'TSIG keys for transfers, NOTIFY and UPDATE' })),
  catalogs: Type.Optional(Type.Array(ProducedCatalog, { description: 'Catalog zones produced here (RFC 9432): every member zone created or deleted changes them in the same commit' })),
  consumers: Type.Optional(Type.Array(ConsumedCatalog, { description: 'Catalog zones consumed here (RFC 9432): their members are served as secondary zones' })),
  kubernetes: Type.Optional(Kubernetes),
  policies: Type.Optional(Type.Array(Policy, { description: 'DNSSEC signing policies; a primary zone is signed when defaults.dnssec or zones[].dnssec names one' })),
  acls: Type.Optional(Type.Array(Acl, { description: 'Who may transfer, NOTIFY or UPDATE; without acls nothing is allowed' })),
  defaults: Type.Optional(mapping({
    acl: Type.Optional(aclNames('ACL rules of every zone that names none')),
    notify: Type.Optional(Type.Array(Target(false), { description: 'NOTIFY targets of every zone that names none' })),
    serialPolicy: Type.Optional(serialPolicy('The serial policy of every zone that names none')),
    journal: Type.Optional(Journal),
    dnssec: Type.Optional(dnssecChoice('The DNSSEC policy of every primary zone that names none, or false (the default)')),
  }, 'Settings for every zone that does not say otherwise')),
}, 'meshdns configuration (meshdns.yaml)', { title: 'meshdns.yaml' });

/** What the schema pass lets through: the file's shape, before the code checks. */
export type ConfigFile = Static<typeof ConfigFileSchema>;
export type ListenEntry = Static<typeof ListenEntry>;

/** The schema as published (`meshdns config schema`): plain JSON with the draft it is written in. */
export function configJsonSchema(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(ConfigFileSchema)) as Record<string, unknown>) };
}
