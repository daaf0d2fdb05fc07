import { nameToKey } from '../../zones/name.js';
import type { ZoneMeta } from '../../zones/store/lmdb-store.js';
import type { AdminContext } from './context.js';
import { ApiError } from './errors.js';
import { parseOriginParam } from './input.js';

/** The zone named by `{origin}` (any case, trailing dot optional), or a 404. */
export function findZone(ctx: AdminContext, originParam: string): { apexKey: Buffer; meta: ZoneMeta } {
  const apexKey = nameToKey(parseOriginParam(originParam));
  const meta = ctx.store.zoneMeta(apexKey);
  if (!meta) throw new ApiError(404, 'origin', originParam, 'is not a zone served here (GET /api/v1/zones lists them)');
  return { apexKey, meta };
}
