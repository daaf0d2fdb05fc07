/**
 * The status page's script (served as /status.js): polls the API with the token and writes what it
 * reads with textContent only. Query and RCODE rates are the difference between two polls.
 */
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
    return td;
  };
  const line = (parent, text, cls, tag) => {
    const el = document.createElement(tag || 'div');
    el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  };
  const when = (s) => new Date(s * 1000).toISOString().replace(/\\.\\d{3}Z$/, 'Z');
  const iso = (text) => (text ? text.replace('T', ' ').replace(/\\.\\d{3}Z$/, 'Z') : '—');
  const number = (n) => Math.round(n).toLocaleString('en');
  const duration = (s) => {
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + (d || h || m ? m + 'm ' : '') + Math.floor(s % 60) + 's';
  };
  // the zone's own file is named by its base name (its path is in the Source column); an $INCLUDEd one in full
  const errorText = (e, own) => (e === null ? '' : e.problems.map((p) => {
    const file = p.file === own ? p.file.slice(p.file.lastIndexOf('/') + 1) : p.file;
    return (p.line > 0 ? file + ':' + p.line : file) + ': ' + p.message;
  }).join('\\n') + ' (since ' + iso(e.at) + ')');

  /** Text that may break after each dot (names) or slash (paths) before it breaks inside a label. */
  const breakable = (el, text) => {
    el.replaceChildren();
    for (const part of text.split(/(?<=[./])/)) {
      el.appendChild(document.createTextNode(part));
      el.appendChild(document.createElement('wbr'));
    }
    return el;
  };

  /** A file path as its folder (small, at most two lines, whole in the tooltip) and its name. */
  function sourceCell(row, source) {
    const td = cell(row, '', 'source', 'source');
    td.title = source;
    const slash = source.lastIndexOf('/');
    if (!source.startsWith('file:') || slash < 0) { td.textContent = source; return; }
    breakable(line(td, '', 'dir', 'span'), source.slice(0, slash + 1));
    breakable(line(td, '', 'base', 'span'), source.slice(slash + 1));
  }

  function transferCell(row, z) {
    const td = cell(row, '', 'transfer', 'transfer');
    const t = z.transfer;
    const c = z.catalog;
    if (c) {
      if (c.role) line(td, 'catalog zone (' + c.role + ' here)', 'catalog');
      if (c.from) line(td, 'from catalog ' + c.from, 'catalog');
      for (const name of c.listedIn) line(td, 'listed in catalog ' + name, 'catalog');
    }
    if (t === null || t === undefined) { if (!c) td.textContent = '—'; return; }
    if (Array.isArray(t.primaries)) line(td, 'from ' + t.primaries.join(', '), 'primaries');
    if (t.lastSuccess) line(td, 'last reached ' + iso(t.lastSuccess), 'last');
    if (z.expiresAt) {
      const left = (Date.parse(z.expiresAt) - Date.now()) / 1000;
      line(td, (left > 0 ? 'expires ' : 'expired ') + iso(z.expiresAt), left < 86400 ? 'expiry soon' : 'expiry');
    }
    if (t.lastError) line(td, 'last error: ' + t.lastError, 'soon');
  }

  function dnssecCell(row, s) {
    const td = cell(row, '', 'dnssec', 'dnssec');
    if (s === undefined) { td.textContent = '—'; return; }
    line(td, 'policy ' + (s.policy === null ? '(none)' : s.policy), 'policy');
    for (const k of s.keys) line(td, k.role.toUpperCase() + ' ' + k.keyTag + ' ' + k.state, 'key').dataset.tag = String(k.keyTag);
    if (s.nextEvent !== null) line(td, 'next event ' + when(s.nextEvent), 'next');
    if (s.waitingFor.length > 0) line(td, 'waiting for ' + s.waitingFor.join('; '), 'waiting');
    if (s.earliestExpiry !== null) {
      // under three days left is worth a colour: the refresh should have renewed them long before
      line(td, 'RRSIG expiry ' + when(s.earliestExpiry), s.earliestExpiry - Date.now() / 1000 < 3 * 86400 ? 'expiry soon' : 'expiry');
    }
  }

  function renderZones(zones, signing) {
    const rows = zones.map((z) => {
      const tr = document.createElement('tr');
      tr.dataset.zone = z.name;
      tr.dataset.state = z.state;
      if (z.state === 'failed' || z.state === 'expired') tr.className = 'failing';
      else if (z.state === 'waiting') tr.className = 'waiting';
      breakable(cell(tr, '', '', 'name'), z.name);
      const st = cell(tr, z.state, 'state', 'state');
      if (z.stateReason) st.title = z.stateReason;
      cell(tr, z.kind, '', 'kind');
      cell(tr, z.serial === null ? '—' : String(z.serial), 'num', 'serial');
      sourceCell(tr, z.source);
      cell(tr, number(z.records), 'num', 'records');
      cell(tr, iso(z.lastChange), '', 'lastChange');
      const own = z.source.startsWith('file:') ? z.source.slice(5) : undefined;
      const problem = cell(tr, z.lastError ? errorText(z.lastError, own) : z.state === 'loaded' ? '' : (z.stateReason || ''), 'errors', 'errors');
      if (z.stateReason) problem.title = z.stateReason;
      transferCell(tr, z);
      dnssecCell(tr, signing.get(z.name.toLowerCase()));
      return tr;
    });
    $('zones').tBodies[0].replaceChildren(...rows);
    $('zones').hidden = zones.length === 0;
    $('empty').hidden = zones.length !== 0;
  }

  function renderCatalogs(c) {
    const rows = [];
    for (const p of c.produced) {
      const tr = document.createElement('tr');
      tr.dataset.catalog = p.zone;
      breakable(cell(tr, '', '', 'name'), p.zone);
      cell(tr, 'produced', '', 'role');
      cell(tr, p.serial === null ? '—' : String(p.serial), 'num', 'serial');
      cell(tr, number(p.members.length), 'num', 'members');
      cell(tr, '—', '', 'last');
      cell(tr, '', 'errors', 'errors');
      rows.push(tr);
    }
    for (const k of c.consumed) {
      const tr = document.createElement('tr');
      tr.dataset.catalog = k.zone;
      if (k.lastError || k.conflicts.length > 0) tr.className = 'failing';
      breakable(cell(tr, '', '', 'name'), k.zone);
      cell(tr, 'consumed', '', 'role');
      cell(tr, k.serial === null ? '—' : String(k.serial), 'num', 'serial');
      cell(tr, number(k.members.length), 'num', 'members');
      cell(tr, iso(k.lastTransfer), '', 'last');
      const td = cell(tr, '', 'errors', 'errors');
      if (k.lastError) line(td, k.lastError, 'error');
      for (const x of k.conflicts) line(td, x.zone + ' refused: ' + x.reason, 'conflict');
      rows.push(tr);
    }
    $('catalogs').tBodies[0].replaceChildren(...rows);
    $('catalogs').hidden = rows.length === 0;
  }

  function renderKubernetes(k) {
    if (!k) { $('kubernetes').hidden = true; return; }
    $('kubernetes-caption').textContent = 'Kubernetes: ' + (k.server || 'not connected') + ' → ' + k.zones.join(', ') + (k.synced ? ' · synced' : ' · not synced') + ' · ' + number(k.batches) + ' batches' + (k.lastBatchAt ? ', last ' + iso(k.lastBatchAt) : '');
    const rows = k.sources.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.source = s.source;
      if (s.lastError) tr.className = 'failing';
      cell(tr, s.source, '', 'name');
      cell(tr, s.synced ? 'listed' : 'listing', '', 'state');
      cell(tr, number(s.objects), 'num', 'objects');
      cell(tr, number(s.restarts.gone) + ' gone, ' + number(s.restarts.error) + ' broken', 'num', 'restarts');
      const td = cell(tr, '', 'errors', 'errors');
      if (s.lastError) line(td, s.lastError, 'error');
      return tr;
    });
    for (const c of k.conflicts) {
      const tr = document.createElement('tr');
      tr.dataset.conflict = c.owner;
      tr.className = 'failing';
      breakable(cell(tr, '', '', 'name'), c.owner);
      cell(tr, 'refused', '', 'state');
      cell(tr, '', 'num', 'objects');
      cell(tr, '', 'num', 'restarts');
      const td = cell(tr, '', 'errors', 'errors');
      for (const reason of c.reasons) line(td, reason, 'conflict');
      rows.push(tr);
    }
    $('kubernetes').tBodies[0].replaceChildren(...rows);
    $('kubernetes').hidden = false;
  }

  let previous;
  function renderSummary(s) {
    $('version').textContent = s.version;
    $('ready').textContent = s.ready ? 'ready' : 'not ready';
    $('ready').className = s.ready ? 'ok' : 'not';
    const waiting = s.waiting.slice(0, 8).map((w) => { const li = document.createElement('li'); li.textContent = w.zone + ': ' + w.reason; return li; });
    if (s.waiting.length > 8) { const li = document.createElement('li'); li.textContent = 'and ' + (s.waiting.length - 8) + ' more'; waiting.push(li); }
    for (const p of s.problems) { const li = document.createElement('li'); li.textContent = p; waiting.push(li); }
    $('waiting').replaceChildren(...waiting);
    $('uptime').textContent = duration(s.uptimeSeconds);
    $('started').textContent = 'since ' + iso(s.startedAt);
    const z = s.zones;
    $('zone-counts').textContent = z.total + ' zones: ' + z.loaded + ' loaded, ' + z.failed + ' failed, ' + z.waiting + ' waiting, ' + z.expired + ' expired';
    const now = performance.now();
    const q = s.queries;
    const rate = previous && now > previous.at ? (q.received - previous.received) / ((now - previous.at) / 1000) : q.received / Math.max(1, s.uptimeSeconds);
    $('rate').textContent = (rate < 10 ? rate.toFixed(1) : number(rate)) + ' queries/s' + (previous ? '' : ' (average since start)');
    $('received').textContent = number(q.received) + ' received, ' + number(q.answered) + ' answered since start';
    const mix = Object.entries(q.byRcode).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).map(([rcode, n]) => {
      const li = document.createElement('li');
      li.dataset.rcode = rcode;
      const recent = previous ? n - (previous.byRcode[rcode] || 0) : undefined;
      li.textContent = rcode + ' ' + number(n) + ' (' + (100 * n / Math.max(1, q.answered)).toFixed(1) + '%)' + (recent === undefined ? '' : ', +' + number(recent) + ' since last look');
      return li;
    });
    if (mix.length === 0) { const li = document.createElement('li'); li.className = 'hint'; li.textContent = 'no responses yet'; mix.push(li); }
    $('rcodes').replaceChildren(...mix);
    previous = { at: now, received: q.received, byRcode: q.byRcode };
    $('summary').hidden = false;
  }

  const get = (token, path) => fetch(path, { headers: { 'X-API-Key': token }, cache: 'no-store' });
  const askForToken = (text, error) => {
    $('login').hidden = false;
    $('summary').hidden = true;
    $('zones').hidden = true;
    $('catalogs').hidden = true;
    $('kubernetes').hidden = true;
    state(text, error);
  };
  let timer;
  async function poll() {
    clearTimeout(timer);
    const token = sessionStorage.getItem(KEY);
    if (!token) { askForToken('an API token is needed'); return; }
    try {
      const [status, zonesRes, signed, catalogsRes, kubernetesRes] = await Promise.all([get(token, '/api/v1/status'), get(token, '/api/v1/zones'), get(token, '/api/v1/dnssec'), get(token, '/api/v1/catalogs'), get(token, '/api/v1/kubernetes')]);
      if (status.status === 401 || zonesRes.status === 401) {
        sessionStorage.removeItem(KEY);
        askForToken('the token was refused', true);
        return;
      }
      if (!zonesRes.ok) throw new Error('HTTP ' + zonesRes.status);
      const zones = await zonesRes.json();
      // signing state and the summary are extra: a server without them still shows its zones
      const signing = new Map(signed.ok ? (await signed.json()).map((s) => [s.origin.toLowerCase(), s]) : []);
      if (status.ok) renderSummary(await status.json());
      renderZones(zones, signing);
      renderCatalogs(catalogsRes.ok ? await catalogsRes.json() : { produced: [], consumed: [] });
      renderKubernetes(kubernetesRes.ok ? await kubernetesRes.json() : undefined);
      $('login').hidden = true;
      state('updated ' + new Date().toLocaleTimeString() + ' · every ' + refresh / 1000 + ' s');
    } catch (err) {
      state('cannot reach meshdns: ' + err.message, true);
    }
    timer = setTimeout(poll, refresh);
  }
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $('token').value.trim());
    $('token').value = '';
    void poll();
  });
  void poll();
})();
`;
