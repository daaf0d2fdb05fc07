/**
 * The read-only status page at `/`: static HTML, CSS and JS (no build step, no framework) that
 * polls GET /api/v1/status, /api/v1/zones, /api/v1/dnssec, /api/v1/catalogs and /api/v1/kubernetes with the API token. The token
 * comes from `/#token=...` (a fragment never reaches the server or its logs; the token itself is
 * never logged, the start-up line says which file holds it) or from the page's form, and is kept in
 * sessionStorage. Data is written with textContent only, and the Content-Security-Policy allows no
 * inline script.
 */
import type { AdminContext } from './context.js';

export { STATUS_JS } from './status-script.js';

export const STATUS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Where a visitor without the token finds it, by where this server's token comes from (never the token). */
const TOKEN_WHERE: Record<NonNullable<AdminContext['tokenSource']>, string> = {
  generated: 'meshdns made this server\'s token and keeps it in the file admin.token of its data folder (readable by its owner only). ' +
    'Open this page with #token= and that file\'s content after its address (the start-up log line "admin listening" shows the link to build), or paste it below.',
  'admin.token': 'This server\'s token is set in its config file, under admin.token.',
  'admin.tokenFile': 'This server\'s token is in the file that admin.tokenFile names in its config file.',
  MESHDNS_API_TOKEN: 'This server\'s token is in its environment, as MESHDNS_API_TOKEN.',
};

export function statusHtml(refreshMs: number, tlsPin?: string, tokenSource?: AdminContext['tokenSource']): string {
  // the pin is public (peers configure it); base64 holds nothing HTML would read as markup
  const pin = tlsPin === undefined || !/^[A-Za-z0-9+/=]+$/.test(tlsPin) ? ''
    : `<p id="tls-pin">DoT/DoQ certificate pin (SPKI SHA-256, for kdig +tls-pin and primaries[].pin): <code>${tlsPin}</code></p>\n`;
  const where = tokenSource === undefined
    ? 'The token is in admin.token or the file admin.tokenFile names (config file), in MESHDNS_API_TOKEN, or, when none is set, in admin.token in the data folder.'
    : TOKEN_WHERE[tokenSource];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>meshdns status</title>
<link rel="stylesheet" href="/status.css">
<script src="/status.js" defer></script>
</head>
<body data-refresh="${Math.max(250, Math.floor(refreshMs))}">
<header><h1>meshdns <span id="version"></span></h1><span id="state" role="status">loading…</span></header>
<form id="login" hidden>
  <h2>This page needs the admin API token</h2>
  <p id="token-where">${where}</p>
  <p>Open the page with <code>#token=&lt;token&gt;</code> after its address, or paste the token here (it stays in this tab only):</p>
  <label>API token <input id="token" type="password" autocomplete="off" required></label>
  <button type="submit">Show status</button>
</form>
<main>
<section id="summary" hidden>
  <div class="card" id="readiness"><h2>Readiness</h2><p id="ready"></p><ul id="waiting"></ul></div>
  <div class="card"><h2>Uptime</h2><p id="uptime"></p><p class="hint" id="started"></p></div>
  <div class="card"><h2>Zones</h2><p id="zone-counts"></p></div>
  <div class="card"><h2>Queries</h2><p id="rate"></p><p class="hint" id="received"></p></div>
  <div class="card"><h2>Responses by RCODE</h2><ul id="rcodes"></ul></div>
</section>
${pin}<table id="zones" hidden>
<colgroup><col class="c-name"><col class="c-state"><col class="c-kind"><col class="c-serial"><col class="c-source"><col class="c-records"><col class="c-change"><col class="c-errors"><col class="c-transfer"><col class="c-dnssec"></colgroup>
<thead><tr><th>Zone</th><th>State</th><th>Kind</th><th>Serial</th><th>Source</th><th>Records</th><th>Last change</th><th>Problem</th><th>Transfer</th><th>DNSSEC</th></tr></thead>
<tbody></tbody>
</table>
<table id="catalogs" hidden>
<caption>Catalog zones (RFC 9432)</caption>
<colgroup><col class="c-name"><col class="c-kind"><col class="c-serial"><col class="c-records"><col class="c-change"><col class="c-errors"></colgroup>
<thead><tr><th>catalog</th><th>role</th><th>serial</th><th>members</th><th>last transfer</th><th>problems</th></tr></thead>
<tbody></tbody>
</table>
<table id="kubernetes" hidden>
<caption id="kubernetes-caption">Kubernetes</caption>
<colgroup><col class="c-name"><col class="c-state"><col class="c-records"><col class="c-serial"><col class="c-errors"></colgroup>
<thead><tr><th>source</th><th>state</th><th>objects</th><th>watch restarts</th><th>problems</th></tr></thead>
<tbody></tbody>
</table>
<p id="empty" hidden>No zones yet: add &lt;origin&gt;.zone files to the zone folder, list zones in the config, or POST /api/v1/zones.</p>
</main>
</body>
</html>
`;
}

// Fixed table layout with wrapping cells: a long file path or error breaks inside its column
// instead of widening the table past the window (readable from 1280 px down).
export const STATUS_CSS = `
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f23; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: #57606a; margin: 0 0 .3rem; }
#version { font-weight: normal; color: #57606a; font-size: 1rem; }
#state { color: #57606a; }
#state.error { color: #b3261e; }
#login { max-width: 46rem; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; }
#login h2 { font-size: 1rem; text-transform: none; letter-spacing: 0; color: #1b1f23; }
#login input { width: 22rem; max-width: 100%; }
code { overflow-wrap: anywhere; }
#summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem; min-width: 0; overflow-wrap: anywhere; }
.card p, .card ul { margin: 0; }
.card ul { padding-left: 1rem; }
#ready.ok { color: #1a7f37; font-weight: 600; }
#ready.not { color: #b3261e; font-weight: 600; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.c-name { width: 12%; } col.c-state { width: 7%; } col.c-kind { width: 8%; } col.c-serial { width: 6%; }
col.c-source { width: 15%; } col.c-records { width: 7%; } col.c-change { width: 9%; } col.c-errors { width: 14%; }
col.c-transfer { width: 11%; } col.c-dnssec { width: 11%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; overflow-wrap: anywhere; }
th { overflow-wrap: normal; }
td.source .dir { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; color: #57606a; font-size: 12px; }
td.source .base { display: block; }
th { background: #f6f8fa; }
td.num { font-variant-numeric: tabular-nums; }
tr.failing td { background: #fff4f2; }
tr.waiting td { background: #fff8e5; }
td.errors { color: #b3261e; white-space: pre-wrap; }
td.state { font-weight: 600; }
tr.failing td.state { color: #b3261e; }
tr.waiting td.state { color: #9a6700; }
td.dnssec .key { font-variant-numeric: tabular-nums; }
td.dnssec .waiting, td.dnssec .soon, td.transfer .soon { color: #9a6700; }
.hint { color: #57606a; font-size: 12px; }
`;
