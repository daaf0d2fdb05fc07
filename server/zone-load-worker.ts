/**
 * The server's zone loader process: the zones/ loader with its write door set up as the server's
 * (a zone with a DNSSEC policy is signed in the loader's commit, as it would be in the server's).
 */
import { attachSigning, type ZonePolicy } from '../dnssec/sign-stage.js';
import { useSignPool } from '../dnssec/sign-pool.js';
import { setLoaderWriterSetup } from '../zones/import/zone-load-worker.js';
import { CatalogProducer } from '../catalog/producer.js';
import { CatalogStore } from '../zones/store/catalog-store.js';

// this process answers no queries: a zone it signs whole may block it on the sign pool's threads
// (all cores; MESHDNS_SIGN_THREADS=n caps them, e.g. to compare with knotd's signing-threads)
const threads = Number(process.env['MESHDNS_SIGN_THREADS'] ?? 0);
useSignPool(...(Number.isInteger(threads) && threads > 0 ? [threads] : []));

setLoaderWriterSetup((writer, job) => {
  // a zone created here joins its catalog in the same commit, as it would in the server
  new CatalogProducer(writer.store, writer, new CatalogStore(writer.store)).attach();
  const policy = job.signingPolicy as ZonePolicy | undefined;
  if (!policy) return;
  // the policy is the loaded zone's: a catalog the commit also changes is never signed
  attachSigning(writer, (origin) => (origin === job.origin ? policy : undefined), {
    // the server logs a loader's progress messages
    onSigned: (event) => {
      if (event.stripped === 0 && event.keysCreated.length === 0) return;
      process.send?.({
        kind: 'progress',
        message: event.stripped > 0
          ? 'DNSSEC records from the zone file (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY) dropped: this zone is signed here'
          : 'key event: key generated, published and active (zone signed for the first time)',
        details: { zone: event.origin, records: event.stripped, keys: event.keysCreated.map((k) => ({ keyTag: k.keyTag, role: k.role, algorithm: k.algorithm })) },
      });
    },
  });
});
