/** A transfer in that failed; the zone keeps its old version and the message says why. */
export class TransferError extends Error {
  override name = 'TransferError';
}
