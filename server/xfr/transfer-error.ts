/** A transfer in that failed; the zone keeps its old version and the message says why. */
export class TransferError extends Error {
  override name = 'TransferError';
}

/** An AXFR taken in process stopped at its record cap: the caller runs it again in the AXFR child. */
export class TransferTooLarge extends TransferError {
  override name = 'TransferTooLarge';
}
