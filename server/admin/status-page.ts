/**
 * The read-only status page at `/`: static HTML, CSS and JS (no build step, no framework) that
 * polls GET /api/v1/zones with the API token. The token comes from the page's form or from
 * `/#token=...` (a fragment never reaches the server or its logs) and is kept in sessionStorage.
 * Data is written with textContent only, and the Content-Security-Policy allows no inline script.
 */

export const STATUS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function statusHtml(refreshMs: number, tlsPin?: string): string {
  // the pin is public (peers configure it); base64 holds nothing HTML would read as markup
  const pin = tlsPin === undefined || !/^[A-Za-z0-9+/=]+$/.test(tlsPin) ? ''
    : `<p id="tls-pin">DoT/DoQ certificate pin (SPKI SHA-256, for kdig +tls-pin and primaries[].pin): <code>${tlsPin}</code></p>\n`;
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
<header><h1>meshdns</h1><span id="state" role="status">loading…</span></header>
<form id="login" hidden>
  <label>API token <input id="token" type="password" autocomplete="off" required></label>
  <button type="submit">Show zones</button>
  <p class="hint">The token is in admin.token, admin.tokenFile, MESHDNS_API_TOKEN, or &lt;data&gt;/admin.token when none is set.</p>
</form>
<main>
${pin}<table id="zones" hidden>
<thead><tr><th>Zone</th><th>Kind</th><th>Serial</th><th>Source</th><th>Records</th><th>Last change</th><th>Errors</th><th>Transfer</th></tr></thead>
<tbody></tbody>
</table>
<p id="empty" hidden>No zones yet.</p>
</main>
</body>
</html>
`;
}

export const STATUS_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f23; }
header { display: flex; align-items: baseline; gap: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
#state { color: #57606a; }
#state.error { color: #b3261e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #f6f8fa; }
td.num { font-variant-numeric: tabular-nums; }
tr.failing td { background: #fff4f2; }
td.errors { color: #b3261e; white-space: pre-wrap; }
.hint { color: #57606a; font-size: 12px; }
`;

export const STATUS_JS = `'use strict';
(() => {
  const KEY = 'meshdns-token';
  const params = new URLSearchParams(location.search);
  const refresh = Math.max(250, Number(params.get('refresh')) || Number(document.body.dataset.refresh) || 2000);
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('token')) {
    sessionStorage.setItem(KEY, hash.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const $ = (id) => document.getElementById(id);
  const state = (text, error) => { $('state').textContent = text; $('state').className = error ? 'error' : ''; };
  const cell = (row, text, cls, field) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    td.dataset.field = field;
    row.appendChild(td);
  };
  const transferText = (t) => (t === null || t === undefined ? '—' : Object.entries(t).map(([k, v]) => k + ': ' + v).join(', '));
  const errorText = (e) => (e === null ? '' : e.problems.map((p) => p.file + ':' + p.line + ': ' + p.message).join('\\n') + ' (since ' + e.at + ')');

  function render(zones) {
    const body = $('zones').tBodies[0];
    const rows = zones.map((z) => {
      const tr = document.createElement('tr');
      tr.dataset.zone = z.name;
      if (z.lastError) tr.className = 'failing';
      cell(tr, z.name, '', 'name');
      cell(tr, z.kind, '', 'kind');
      cell(tr, String(z.serial), 'num', 'serial');
      cell(tr, z.source, '', 'source');
      cell(tr, String(z.records), 'num', 'records');
      cell(tr, z.lastChange, '', 'lastChange');
      cell(tr, errorText(z.lastError), 'errors', 'errors');
      cell(tr, transferText(z.transfer), '', 'transfer');
      return tr;
    });
    body.replaceChildren(...rows);
    $('zones').hidden = zones.length === 0;
    $('empty').hidden = zones.length !== 0;
  }

  let timer;
  async function poll() {
    clearTimeout(timer);
    const token = sessionStorage.getItem(KEY);
    if (!token) { $('login').hidden = false; state('an API token is needed'); return; }
    try {
      const res = await fetch('/api/v1/zones', { headers: { 'X-API-Key': token }, cache: 'no-store' });
      if (res.status === 401) {
        sessionStorage.removeItem(KEY);
        $('login').hidden = false;
        state('the token was refused', true);
        return;
      }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      render(await res.json());
      $('login').hidden = true;
      state('updated ' + new Date().toLocaleTimeString() + ' · every ' + refresh / 1000 + ' s');
    } catch (err) {
      state('cannot reach meshdns: ' + err.message, true);
    }
    timer = setTimeout(poll, refresh);
  }
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $('token').value);
    $('token').value = '';
    void poll();
  });
  void poll();
})();
`;
