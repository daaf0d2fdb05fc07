import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki } from '../helpers/dot.js';
import { pinOfPem } from '../../server/tls/pin.js';
import { peerCertificateProblem } from '../../server/tls/peer-verify.js';

/** The certificate checks a QUIC transfer client hands its peer's chain to (and tls primaries use for pins), against openssl-made certificates. */

test('pin, CA + hostname, opportunistic; wrong pin, wrong name, another CA and expiry each fail with a reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshdns-peer-verify-'));
  try {
    const ours = makePki(dir);
    const otherDir = join(dir, 'other');
    mkdirSync(otherDir);
    const other = makePki(otherDir);
    const chain = [new X509Certificate(readFileSync(ours.cert))];
    const pin = pinOfPem(readFileSync(ours.cert, 'utf8'));
    assert.equal(peerCertificateProblem(chain, { pin }), undefined);
    assert.match(peerCertificateProblem(chain, { pin: pinOfPem(readFileSync(other.cert, 'utf8')) })!, /^its certificate's key has pin .+, not the configured pin .+$/);
    assert.equal(peerCertificateProblem(chain, { caFile: ours.caCert, hostname: 'dns.test' }), undefined);
    assert.equal(peerCertificateProblem(chain, { caFile: ours.caCert, hostname: '127.0.0.1' }), undefined, 'an IP address in the subjectAltName');
    assert.equal(peerCertificateProblem(chain, { caFile: ours.caCert, hostname: 'other.test' }), 'its certificate is not for other.test');
    assert.equal(peerCertificateProblem(chain, { caFile: other.caCert, hostname: 'dns.test' }), `its certificate does not chain to a CA of ${other.caCert}`);
    assert.equal(peerCertificateProblem(chain, { hostname: 'dns.test' }), 'its certificate does not chain to a system CA');
    const later = Date.now() + 400 * 86_400_000;
    assert.match(peerCertificateProblem(chain, { pin }, later)!, /^its certificate \(CN=dns\.test\) expired on /);
    assert.match(peerCertificateProblem(chain, { caFile: ours.caCert, hostname: 'dns.test' }, later)!, /expired on/);
    assert.equal(peerCertificateProblem(chain, {}), undefined, 'opportunistic: nothing is checked');
    assert.equal(peerCertificateProblem([], { pin }), 'the peer sent no certificate');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
