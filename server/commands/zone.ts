import type { Command } from 'commander';
import type { ChangeInput } from '../admin/transactions.js';
import type { ReloadReport } from '../admin/context.js';
import { AdminClient } from './admin-client.js';
import { CommandError, printer, processIo, withConnection, type ConnectionOptions, type Io } from './program.js';
import { ownerName, setChange, typeArg, unsetChange, zoneName } from './record-args.js';
import {
  formatCommit, formatDiff, formatRRsets, formatZoneList, formatZoneStatus,
  type CommitJson, type RRsetsJson, type TransactionJson, type ZoneJson,
} from './zone-format.js';

const ABOUT = [
  'The zones of a running meshdns, over its admin API, in knotc\'s manner.',
  'A change is made in a transaction the server holds (knotc zone-begin ... zone-commit): zone begin opens it, zone set and ' +
    'zone unset add to it, zone diff shows what it will change, zone commit applies it as one commit (one serial, one IXFR step) ' +
    'or nothing, zone abort drops it. The server drops a transaction nobody used for 10 minutes. Outside a transaction, set and unset apply at once.',
  'Names are read as a zone file reads them: relative to ZONE unless they end in a dot, @ for the apex. RDATA is presentation ' +
    'format; its words are joined by spaces, so a TXT string with spaces is quoted inside the shell\'s quotes: \'"two words"\'.',
].join('\n\n');

/** `meshdns zone list|status|read|diff|set|unset|begin|commit|abort|notify|retransfer|reload|export` */
export function registerZone(program: Command, io: Io = processIo): void {
  const zone = program.command('zone').summary('zones of a running server: list, read, change in a transaction, notify, export').description(ABOUT);
  const connect = (o: ConnectionOptions) => AdminClient.resolve(o, io.env);
  const api = (z: string) => `/api/v1/zones/${encodeURIComponent(zoneName(z).text)}`;
  const sub = (name: string, description: string, json = true) => withConnection(zone.command(name).description(description), json);

  sub('list', 'every zone: kind, serial, records, state, last change, source')
    .option('--names', 'only the zone names, one a line (for scripts and shell completion)')
    .action(async (o: ConnectionOptions & { names?: boolean }) => {
      const zones = await connect(o).request<ZoneJson[]>('GET', '/api/v1/zones');
      if (o.names && !o.json) return io.out(zones.map((z) => `${z.name}\n`).join(''));
      printer(io, o.json)(zones, () => formatZoneList(zones));
    });

  sub('status', 'one zone: state, serial, source, load errors, transfer state, open transaction').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const client = connect(o);
      const info = await client.request<ZoneJson>('GET', api(z));
      const tx = await openTransaction(client, api(z));
      printer(io, o.json)({ ...info, transaction: tx === null ? null : { opened: tx.opened, expires: tx.expires, changes: tx.changes.length } },
        () => formatZoneStatus(info, tx));
    });

  sub('read', 'the zone\'s records as zone-file lines, or those of OWNER (of TYPE)').argument('<ZONE>').argument('[OWNER]').argument('[TYPE]')
    .action(async (z: string, owner: string | undefined, type: string | undefined, o: ConnectionOptions) => {
      const query = new URLSearchParams();
      if (owner !== undefined) query.set('name', ownerName(owner, zoneName(z).wire));
      if (type !== undefined) query.set('type', typeArg(type));
      const q = query.size > 0 ? `?${query.toString()}` : '';
      const r = await connect(o).request<RRsetsJson>('GET', `${api(z)}/rrsets${q}`);
      if (owner !== undefined && r.rrsets.length === 0) {
        throw new CommandError(`${query.get('name')} has no ${type === undefined ? 'records' : `${query.get('type')} records`} in ${zoneName(z).text}`);
      }
      printer(io, o.json)(r, () => formatRRsets(r));
    });

  sub('export', 'the zone as a zone file (SOA first, absolute names)').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const text = await connect(o).text(`${api(z)}/export`);
      printer(io, o.json)({ zone: zoneName(z).text, text }, () => text);
    });

  sub('begin', 'open a transaction on the zone, held by the server (one per zone)').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const tx = await connect(o).request<TransactionJson>('POST', `${api(z)}/transaction`);
      printer(io, o.json)(tx, () => `transaction opened on ${tx.zone}; zone set/unset add to it, zone commit applies it (dropped at ${tx.expires} if unused)\n`);
    });

  const change = async (z: string, input: ChangeInput, o: ConnectionOptions) => {
    const client = connect(o);
    const print = printer(io, o.json);
    if (await openTransaction(client, api(z)) !== null) {
      const tx = await client.request<TransactionJson>('PATCH', `${api(z)}/transaction`, { changes: [input] });
      print(tx, () => `added to the transaction on ${tx.zone} (${tx.changes.length} change${tx.changes.length === 1 ? '' : 's'}; zone diff shows them, zone commit applies them)\n`);
      return;
    }
    const done = await client.request<CommitJson>('POST', `${api(z)}/changes`, { changes: [input] });
    print(done, () => formatCommit(zoneName(z).text, done));
  };
  sub('set', 'add a record (to the open transaction, else at once): OWNER [TTL] TYPE RDATA...')
    .argument('<ZONE>').argument('<OWNER>').argument('<RECORD...>', '[TTL] TYPE RDATA...: the TTL is optional (default: the RRset\'s, else 3600)')
    .usage('[options] ZONE OWNER [TTL] TYPE RDATA...')
    .action((z: string, owner: string, record: string[], o: ConnectionOptions) => change(z, setChange(zoneName(z).wire, [owner, ...record]), o));
  sub('unset', 'remove a record, an RRset, or every RRset of a name (in the open transaction, else at once)')
    .argument('<ZONE>').argument('<OWNER>').argument('[TYPE]').argument('[RDATA...]')
    .action((z: string, owner: string, type: string | undefined, rdata: string[], o: ConnectionOptions) =>
      change(z, unsetChange(zoneName(z).wire, [owner, ...(type === undefined ? [] : [type]), ...rdata]), o));

  sub('diff', 'what committing the open transaction would change now').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const tx = await connect(o).request<TransactionJson>('GET', `${api(z)}/transaction`);
      printer(io, o.json)(tx, () => formatDiff(tx));
    });

  sub('commit', 'apply the open transaction as one commit; if it is refused nothing is applied and it stays open').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const done = await connect(o).request<CommitJson>('POST', `${api(z)}/transaction/commit`);
      printer(io, o.json)(done, () => formatCommit(zoneName(z).text, done));
    });

  sub('abort', 'drop the open transaction: nothing of it is applied').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      await connect(o).request('DELETE', `${api(z)}/transaction`);
      printer(io, o.json)({ zone: zoneName(z).text, aborted: true }, () => `transaction on ${zoneName(z).text} aborted\n`);
    });

  sub('notify', 'send NOTIFY for the zone to its secondaries now').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const r = await connect(o).request<{ result: string; sent: number; failed: number }>('PUT', `${api(z)}/notify`);
      printer(io, o.json)(r, () => `NOTIFY for ${zoneName(z).text} sent to ${r.sent} secondar${r.sent === 1 ? 'y' : 'ies'}${r.failed > 0 ? `, ${r.failed} failed` : ''}\n`);
    });

  sub('retransfer', 'transfer a secondary zone from its primary now').argument('<ZONE>')
    .action(async (z: string, o: ConnectionOptions) => {
      const r = await connect(o).request<{ result: string }>('PUT', `${api(z)}/retransfer`);
      printer(io, o.json)(r, () => `transfer of ${zoneName(z).text} started\n`);
    });

  sub('reload', 're-read the config and the zone folder, as SIGHUP does (ZONEs given must exist)').argument('[ZONE...]')
    .action(async (zones: string[], o: ConnectionOptions) => {
      const client = connect(o);
      // the server reloads everything that changed; a ZONE that is not served is a mistake worth saying
      for (const z of zones) await client.request('GET', api(z));
      const r = await client.request<ReloadReport>('POST', '/api/v1/reload');
      printer(io, o.json)(r, () => `reloaded${r.applied.length > 0 ? `: ${r.applied.join(', ')}` : ''}\n` +
        (r.restartNeeded.length > 0 ? `a restart is needed for: ${r.restartNeeded.join(', ')}\n` : ''));
    });
}

/** The zone's open transaction, or null when none is open (a missing zone is still an error). */
async function openTransaction(client: AdminClient, zonePath: string): Promise<TransactionJson | null> {
  try {
    return await client.request<TransactionJson>('GET', `${zonePath}/transaction`);
  } catch (err) {
    if (err instanceof CommandError && err.status === 404 && err.field === 'transaction') return null;
    throw err;
  }
}

