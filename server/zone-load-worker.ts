/**
 * The server's zone loader process: the zones/ loader with its write door set up as the server's
 * (a zone with a DNSSEC policy is signed in the loader's commit, as it would be in the server's).
 */
import { attachSigning, type ZonePolicy } from '../dnssec/sign-stage.js';
import { setLoaderWriterSetup } from '../zones/import/zone-load-worker.js';

setLoaderWriterSetup((writer, job) => {
  const policy = job.signingPolicy as ZonePolicy | undefined;
  if (policy) attachSigning(writer, () => policy);
});
