import { parseName, type WireName } from '../../zones/name.js';

/** SOA rdata `ns.<origin> hostmaster.<origin> serial 3600 3600 3600 3600` for store tests. */
export function soaRdata(origin: WireName, serial: number): Uint8Array {
  const rest = Buffer.alloc(20);
  rest.writeUInt32BE(serial, 0);
  for (let i = 1; i < 5; i++) rest.writeUInt32BE(3600, i * 4);
  return Buffer.concat([parseName('ns', origin), parseName('hostmaster', origin), rest]);
}
