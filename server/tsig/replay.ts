import type { TsigKey } from './keys.js';
import { MAX_FUDGE } from './tsig.js';

/** Per key, the most request MACs remembered; past it the oldest is forgotten first. */
export const REPLAY_CACHE_SIZE = 10_000;

/**
 * Request MACs seen within the time window, per key: a signed message sent again while its time
 * is still acceptable is refused. A MAC covers the message id and Time Signed, so a client's new
 * request never repeats one; the same bytes twice are a retransmission or a replay. RFC 8945
 * §5.2.3 asks a server to refuse messages older than one already seen from the key; remembering
 * the MACs does that without refusing requests that cross on the way (UDP reorders).
 */
export class ReplayGuard {
  /** Key name → MAC (hex) → the second after which the MAC's time is refused anyway. */
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(private readonly capacity = REPLAY_CACHE_SIZE) {}

  /** Records the MAC; false when it was already seen (and has not expired). */
  admit(key: TsigKey, mac: Buffer, timeSigned: number, now = Math.floor(Date.now() / 1000)): boolean {
    let macs = this.seen.get(key.nameText);
    if (!macs) {
      macs = new Map();
      this.seen.set(key.nameText, macs);
    }
    const id = mac.toString('hex');
    const until = macs.get(id);
    if (until !== undefined && until >= now) return false;
    this.prune(macs, now);
    // the time check accepts the MAC until timeSigned + the capped fudge
    macs.set(id, timeSigned + MAX_FUDGE);
    return true;
  }

  private prune(macs: Map<string, number>, now: number): void {
    for (const [id, until] of macs) {
      if (until < now || macs.size >= this.capacity) macs.delete(id);
      else if (macs.size < this.capacity) break;
    }
  }
}
