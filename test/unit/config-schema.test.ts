import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError, validateConfig } from '../../server/config.js';
import { AJV_OPTIONS, ANNOTATIONS } from '../../server/config/ajv-options.js';
import { GENERATED_FILE, validatorSource } from '../../server/config/generate-validator.js';
import { configJsonSchema } from '../../server/config/schema.js';

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/** The schema as an editor gets it (plain JSON), compiled by a fresh ajv that knows our annotations. */
const published = () => {
  const ajv = new Ajv({ strict: true, allErrors: true }).addVocabulary(ANNOTATIONS);
  return ajv.compile(configJsonSchema());
};

/** The YAML blocks of the README's configuration reference ("### Configuration" up to "### Logs"). */
function readmeReference(): string {
  const readme = read('README.md');
  const start = readme.indexOf('### Configuration');
  const end = readme.indexOf('### Logs', start);
  assert.ok(start >= 0 && end > start, 'README has a "### Configuration" section followed by "### Logs"');
  return readme.slice(start, end);
}
const yamlBlocks = (markdown: string) => [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

const message = (raw: unknown): string => {
  try {
    validateConfig(raw, {}, 'meshdns.yaml', {});
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail(`accepted: ${JSON.stringify(raw)}`);
};

test('the published schema accepts examples/meshdns.yaml and every YAML example of the README reference', () => {
  const validate = published();
  const examples = [read('examples/meshdns.yaml'), ...yamlBlocks(readmeReference())];
  assert.ok(examples.length >= 3, 'the README reference has its YAML examples');
  for (const text of examples) {
    const ok = validate(parseYaml(text));
    assert.ok(ok, `${JSON.stringify(validate.errors)}\n${text}`);
  }
  assert.equal(validate({ listen: ['127.0.0.1:53'], zoneDirr: './z' }), false, 'and it is not a schema that accepts anything');
});

test('every top-level key of the schema is in the README configuration reference', () => {
  const reference = readmeReference();
  const keys = Object.keys(configJsonSchema()['properties'] as object);
  const missing = keys.filter((k) => !new RegExp(`(^|\\n)${k}:|\`${k}\``).test(reference));
  assert.deepEqual(missing, []);
});

test('the schema pass refuses unknown keys, wrong types and out-of-range numbers: key path, value, why', () => {
  assert.equal(message({ zoneDirr: './x' }), 'meshdns.yaml: zoneDirr: "./x" is not a known key (listen, data, zoneDir, zones, logLevel, nsid, maxUdpPayload, tcp, tls, limits, udp, rrl, cookies, answerCacheSize, serialPolicy, admin, metrics, queryLog, keys, catalogs, consumers, kubernetes, policies, acls, defaults)');
  assert.equal(message({ zones: [{ origin: 'a.test.' }, { origin: 'b.test.', fiel: 'b.zone' }] }), 'meshdns.yaml: zones[1].fiel: "b.zone" is not a known key (origin, file, serialPolicy, acl, notify, primaries, journal, dnssec, catalog, catalogGroup)');
  assert.equal(message({ maxUdpPayload: 100 }), 'meshdns.yaml: maxUdpPayload: 100 must be a whole number from 512 to 65535');
  assert.equal(message({ tcp: { idleTimeout: '10' } }), 'meshdns.yaml: tcp.idleTimeout: "10" must be a whole number from 1 to 3600');
  assert.equal(message({ tcp: { maxConnections: 1.5 } }), 'meshdns.yaml: tcp.maxConnections: 1.5 must be a whole number from 1 to 1000000');
  assert.equal(message({ logLevel: 'loud' }), 'meshdns.yaml: logLevel: "loud" must be one of fatal, error, warn, info, debug, trace, silent');
  assert.equal(message({ zones: 'a.test.' }), 'meshdns.yaml: zones: "a.test." must be a list');
  assert.equal(message({ zones: [{ file: 'x.zone' }] }), 'meshdns.yaml: zones[0].origin: is required (the zone name; the trailing dot is optional)');
  assert.equal(message({ admin: true }), 'meshdns.yaml: admin: true must be false or a mapping {listen, token, tokenFile, allowedHosts}');
  assert.equal(message({ acls: [{ name: 'a', action: 'axfr' }] }), 'meshdns.yaml: acls[0].action: "axfr" must be one of transfer, notify, update');
  assert.equal(message({ acls: [{ name: 'a', action: 7 }] }), 'meshdns.yaml: acls[0].action: 7 must be a string or a list of strings');
  assert.equal(message({ zones: [{ origin: 'a.test.', primaries: [{ address: '192.0.2.1:53', idleTimeout: 0 }] }] }),
    'meshdns.yaml: zones[0].primaries[0].idleTimeout: 0 must be a number of seconds, more than 0 and at most 3600');
  assert.equal(message({ defaults: { journal: { maxSize: 100 } } }), 'meshdns.yaml: defaults.journal.maxSize: 100 must be a size from 1K to 64G (bytes, or a number with K, M or G)');
  assert.equal(message(['listen']), 'meshdns.yaml: (top level): ["listen"] must be a mapping {listen, data, zoneDir, zones, logLevel, nsid, maxUdpPayload, tcp, tls, limits, udp, rrl, cookies, answerCacheSize, serialPolicy, admin, metrics, queryLog, keys, catalogs, consumers, kubernetes, policies, acls, defaults}');
  const secret = message({ keys: [{ name: 'k', secret: 12345678901234567890 }] });
  assert.equal(secret, 'meshdns.yaml: keys[0].secret: "(hidden)" must be a string');
});

test('code checks after the schema pass keep the same shape', () => {
  assert.equal(message({ zones: [{ origin: 'a.test.' }, { origin: 'b.test.' }, { origin: 'exa mple' }] }).split(': ').slice(0, 3).join(': '),
    'meshdns.yaml: zones[2].origin: "exa mple" is not a valid domain name');
  assert.equal(message({ listen: ['localhost:53'] }), 'meshdns.yaml: listen[0]: "localhost:53" has "localhost", which is not an IP address');
  assert.equal(message({ acls: [{ name: 'a', key: 'nokey', action: 'transfer' }] }), 'meshdns.yaml: acls[0].key: "nokey." is not a key defined under keys');
  assert.equal(message({ keys: [{ name: 'k' }] }), 'meshdns.yaml: keys[0].secret: is required (or secretFile)');
});

test('listen: "ADDR:PORT" runs UDP and TCP; {address, transport} runs one of udp, tcp, tls, quic', () => {
  const c = validateConfig({ listen: ['127.0.0.1:5300', { address: '[::1]:5300', transport: 'tcp' }, { address: '127.0.0.2:53', transport: 'udp' }] }, {}, 'meshdns.yaml', {});
  assert.deepEqual(c.listen.map((a) => [a.host, a.port, a.family, a.transports]), [
    ['127.0.0.1', 5300, 4, ['udp', 'tcp']], ['::1', 5300, 6, ['tcp']], ['127.0.0.2', 53, 4, ['udp']],
  ]);
  const encrypted = validateConfig({ listen: [{ address: '127.0.0.1:8853', transport: 'tls' }, { address: '127.0.0.1:8853', transport: 'quic' }] }, {}, 'meshdns.yaml', {});
  assert.deepEqual(encrypted.listen.map((a) => a.transports), [['tls'], ['quic']]);
  assert.equal(message({ listen: [{ address: '127.0.0.1:53', transport: 'sctp' }] }), 'meshdns.yaml: listen[0].transport: "sctp" must be one of udp, tcp, tls, quic');
  assert.equal(message({ listen: [{ address: '127.0.0.1:53' }] }), 'meshdns.yaml: listen[0].transport: is required (udp, tcp, tls (DNS over TLS, RFC 7858) or quic (DNS over QUIC, RFC 9250))');
  assert.equal(message({ listen: [{ address: '127.0.0.1:53', transport: 'udp', tls: {} }] }), 'meshdns.yaml: listen[0].tls: {} is not a known key (address, transport)');
  assert.equal(message({ listen: [53] }), 'meshdns.yaml: listen[0]: 53 must be "ADDR:PORT" or a mapping {address: "ADDR:PORT", transport: udp | tcp | tls | quic}');
  assert.equal(message({ listen: [{ address: 'x:53', transport: 'udp' }] }), 'meshdns.yaml: listen[0].address: "x:53" has "x", which is not an IP address');
});

test('the same address, port and transport listed twice is an error naming both entries', () => {
  assert.equal(message({ listen: ['127.0.0.1:53', '[::1]:53', { address: '127.0.0.1:53', transport: 'tcp' }] }),
    'meshdns.yaml: listen[2]: {"address":"127.0.0.1:53","transport":"tcp"} listens on tcp 127.0.0.1:53, as listen[0] already does');
  assert.equal(message({ listen: ['[::1]:53', '[0:0::1]:53'] }), 'meshdns.yaml: listen[1]: "[0:0::1]:53" listens on udp [0:0::1]:53, as listen[0] already does');
  const split = validateConfig({ listen: [{ address: '127.0.0.1:53', transport: 'udp' }, { address: '127.0.0.1:53', transport: 'tcp' }, '127.0.0.1:0', '127.0.0.1:0'] }, {}, 'x', {});
  assert.equal(split.listen.length, 4, 'UDP and TCP on one port from two entries, and port 0 twice, are fine');
});

test('flags are checked like the file: a bad flag names the key it stands for', () => {
  assert.throws(() => validateConfig({}, { logLevel: 'loud' }, 'command line', {}), /^ConfigError: command line: logLevel: "loud" must be one of/);
  assert.throws(() => validateConfig({}, { listen: ['127.0.0.1:99999'] }, 'command line', {}), /listen\[0\]: "127\.0\.0\.1:99999" has port 99999, above 65535/);
  assert.equal(validateConfig({ admin: { token: 't-0123456789abcdef' } }, { adminListen: '127.0.0.1:0' }, 'x', {}).admin!.token, 't-0123456789abcdef', 'the flag replaces admin.listen only');
  assert.equal(validateConfig({ admin: false }, { adminListen: '127.0.0.1:0' }, 'x', {}).admin, undefined, 'admin: false in the file stays off');
  assert.equal(validateConfig({ admin: null, tcp: null, queryLog: null }, {}, 'x', {}).admin!.listen.port, 8053, 'an empty YAML value is the default');
});

test('the committed validator is a fresh compile of the schema, and ajv compiles the schema with our options', () => {
  // compared as a whole, reported short: the file is ~100 KB on a few long lines
  assert.ok(read(GENERATED_FILE) === validatorSource(), `${GENERATED_FILE} is stale: npm run build && node dist/server/config/generate-validator.js && npm run build`);
  assert.doesNotThrow(() => new Ajv(AJV_OPTIONS).addVocabulary(ANNOTATIONS).compile(configJsonSchema()));
});

test('examples/meshdns.schema.json is the published schema, and examples/meshdns.yaml points editors at it', () => {
  assert.deepEqual(JSON.parse(read('examples/meshdns.schema.json')), configJsonSchema(), 'regenerate: meshdns config schema > examples/meshdns.schema.json');
  assert.match(read('examples/meshdns.yaml'), /^# yaml-language-server: \$schema=\.\/meshdns\.schema\.json$/m);
});
