/**
 * The dashboard's own browser code, run after uPlot in the page's one inline script. It polls
 * `/api/cluster` (instances) every second and `/api/cluster/traffic` (charts, map) every
 * heartbeat, and, when the service has the operations API, the dead letters and sagas. Every
 * value from the server reaches the DOM escaped (`esc`) or as text; write actions are shown only
 * when `/api/ops` says they are enabled, and carry the operator token the person typed
 * (sessionStorage) as a bearer header. Plain ES2020, no template literals: it lives in one.
 */
export const DASHBOARD_SCRIPT = String.raw`
'use strict';
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'catga.operatorToken';
const HISTORY_MS = 600000;
const PALETTE = ['#4f7cff', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#e67700', '#5c940d', '#a61e4d', '#364fc7', '#868e96', '#d6336c'];
const TERMINAL = ['Completed', 'Compensated', 'Failed'];
const previous = new Map();

function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.authorization = 'Bearer ' + token;
  return h;
}
async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store', headers: authHeaders() });
  if (!res.ok) {
    const error = new Error(path + ' answered ' + res.status);
    error.status = res.status;
    throw error;
  }
  return res.json();
}
async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    cache: 'no-store',
    headers: authHeaders({ 'content-type': 'application/json' }),
    body: JSON.stringify(body || {}),
  });
  let payload = null;
  try {
    payload = await res.json();
  } catch (e) {
    payload = null;
  }
  if (!res.ok) {
    const code = payload && (payload.code || (payload.error && payload.error.code));
    const message = payload && (payload.message || (payload.error && payload.error.message));
    const error = new Error(res.status + (code ? ' ' + code : '') + (message ? ': ' + message : ''));
    error.status = res.status;
    throw error;
  }
  return payload;
}
const time = (ms) => new Date(ms).toLocaleTimeString();
const fmt = (n, digits) => (n === null || n === undefined ? '–' : Number(n).toFixed(digits === undefined ? 1 : digits));

// ---- instances, saga counts, recent faults (GET /api/cluster, every second)
async function refresh() {
  try {
    render(await getJson('/api/cluster'));
  } catch (e) {
    $('meta').innerHTML = '<span class="error">cannot reach /api/cluster: ' + esc(e.message) + '</span>';
  }
}
function render(c) {
  const live = c.members.filter((m) => m.status !== 'gone');
  $('meta').textContent = 'seen from ' + c.self.instance + ' · ' + live.length + ' live instance(s) · ' + new Date(c.at).toLocaleTimeString();
  const rates = c.members.map((m) => {
    const p = previous.get(m.instance);
    const rate = p && m.at > p.at ? ((m.handled - p.handled) * 1000) / (m.at - p.at) : 0;
    previous.set(m.instance, { handled: m.handled, at: m.at });
    return Math.max(0, rate);
  });
  const max = Math.max(1, ...c.members.map((m) => m.handled));
  document.querySelector('#instances tbody').innerHTML = c.members.map((m, i) =>
    '<tr data-instance="' + esc(m.instance) + '" data-status="' + esc(m.status) + '">' +
    '<td>' + esc(m.service) + '</td><td>' + esc(m.instance) + (m.self ? ' (this)' : '') + '</td>' +
    '<td><span class="status status-' + esc(m.status) + '">' + esc(m.status) + '</span></td>' +
    '<td class="num">' + esc(m.handled) + '</td><td class="num">' + esc(m.failed) + '</td><td class="num">' + esc(m.inFlight) + '</td>' +
    '<td class="num">' + rates[i].toFixed(1) + '</td>' +
    '<td style="width:120px"><div class="bar" style="width:' + Math.round((m.handled / max) * 100) + '%"></div></td>' +
    '<td>' + esc(m.transport) + (m.connected ? '' : ' <span class="error">down</span>') + (m.reconnects ? ' (' + esc(m.reconnects) + ' reconnects)' : '') + '</td>' +
    '<td class="num">' + Math.max(0, Math.round((c.at - m.lastSeen) / 1000)) + ' s</td></tr>').join('');
  $('sagas').innerHTML = Object.entries(c.sagas).map(([status, n]) =>
    '<div class="saga" data-saga-status="' + esc(status) + '"><b>' + esc(n) + '</b>' + esc(status) + '</div>').join('');
  $('events').innerHTML = c.events.length === 0 ? '<li>none yet</li>' : c.events.map((e) =>
    '<li data-kind="' + esc(e.kind) + '">' + new Date(e.at).toLocaleTimeString() + ' <span class="kind">' + esc(e.kind) + '</span> ' +
    esc(e.instance) + (e.detail ? ' · ' + esc(e.detail) : '') + '</li>').join('');
}

// ---- traffic history (GET /api/cluster/traffic, the last minutes first, then what is new)
const SERVICE_FIELDS = ['handled', 'failed', 'p50Ms', 'p99Ms', 'sagasStarted', 'sagasCompleted', 'sagasCompensated', 'sagasFailed', 'deadLettered'];
const TYPE_FIELDS = ['handled', 'failed', 'sent', 'published', 'p50Ms', 'p99Ms'];
const traffic = { times: [], services: new Map(), types: new Map(), bucketMs: 2000, topology: { services: [], edges: [] } };
const depth = { times: [], values: [] };

function mergeSeries(into, incoming, keyOf, fields, before, added) {
  const seen = new Set();
  for (const s of incoming) {
    const key = keyOf(s);
    seen.add(key);
    let known = into.get(key);
    if (!known) {
      known = Object.assign({}, s);
      for (const f of fields) known[f] = new Array(before).fill(null);
      into.set(key, known);
    }
    for (const f of fields) known[f].push(...s[f].slice(s[f].length - added));
  }
  for (const [key, known] of into) if (!seen.has(key)) for (const f of fields) known[f].push(...new Array(added).fill(null));
}
function trimTraffic() {
  const last = traffic.times[traffic.times.length - 1];
  let drop = 0;
  while (drop < traffic.times.length && traffic.times[drop] < last - HISTORY_MS) drop++;
  if (drop === 0) return;
  traffic.times.splice(0, drop);
  for (const s of traffic.services.values()) for (const f of SERVICE_FIELDS) s[f].splice(0, drop);
  for (const s of traffic.types.values()) for (const f of TYPE_FIELDS) s[f].splice(0, drop);
}
async function refreshTraffic() {
  try {
    const last = traffic.times[traffic.times.length - 1];
    const snap = await getJson('/api/cluster/traffic' + (last ? '?since=' + last : ''));
    const t = snap.traffic;
    traffic.bucketMs = t.bucketMs;
    const fresh = t.times.filter((x) => last === undefined || x > last);
    const before = traffic.times.length;
    traffic.times.push(...fresh);
    mergeSeries(traffic.services, t.services, (s) => s.service, SERVICE_FIELDS, before, fresh.length);
    mergeSeries(traffic.types, t.types, (s) => s.service + ' · ' + s.type, TYPE_FIELDS, before, fresh.length);
    trimTraffic();
    traffic.topology = snap.topology;
    drawCharts();
    drawTypes();
    drawTypeChart();
    drawMap();
  } catch (e) {
    $('charts-status').textContent = 'cannot reach /api/cluster/traffic: ' + e.message;
  }
}

const charts = new Map();
// Ticks no closer than the heartbeat: a chart of a few points would otherwise count half seconds.
const X_AXIS = { space: 60, incrs: [2, 4, 10, 20, 30, 60, 120, 300, 600] };
/** A uPlot chart in #id, made again when its series change; marks the element with what it holds for a reader of the DOM. */
function chart(id, title, series, data, axes) {
  const el = $(id);
  const nonEmpty = series.filter((s, i) => data[i + 1].some((v) => v !== null && v > 0)).map((s) => s.label);
  el.dataset.series = series.map((s) => s.label).join(',');
  el.dataset.nonEmpty = nonEmpty.join(',');
  el.dataset.points = String(data[0].length);
  const signature = title + ':' + series.map((s) => s.label + '|' + (s.scale || 'y')).join(',');
  let c = charts.get(id);
  if (c && c.signature !== signature) {
    c.plot.destroy();
    c = undefined;
  }
  if (!c) {
    const width = Math.max(280, el.clientWidth - 8);
    const opts = {
      title,
      width,
      height: 200,
      scales: { x: { time: true } },
      series: [{}].concat(series),
      axes: axes || [X_AXIS, { size: 50 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
    c = { signature, plot: new uPlot(opts, data, el) };
    charts.set(id, c);
  } else c.plot.setData(data);
}
const colour = (i) => PALETTE[i % PALETTE.length];
const seconds = () => traffic.times.map((t) => t / 1000);
function sumOver(field) {
  return traffic.times.map((_, i) => {
    let total = null;
    for (const s of traffic.services.values()) if (s[field][i] !== null) total = (total || 0) + s[field][i];
    return total;
  });
}
function drawCharts() {
  const services = [...traffic.services.values()].sort((a, b) => a.service.localeCompare(b.service));
  const xs = seconds();
  $('charts-status').textContent = traffic.times.length === 0 ? 'waiting for the first heartbeats…' :
    'last ' + Math.round((traffic.times[traffic.times.length - 1] - traffic.times[0]) / 60000 * 10) / 10 + ' min, one point per ' + traffic.bucketMs / 1000 + ' s heartbeat, from every instance';
  chart('chart-handled', 'Handled per second, by service', services.map((s, i) => ({ label: s.service, stroke: colour(i), width: 2 })), [xs].concat(services.map((s) => s.handled)));
  const latency = [];
  const latencyData = [xs];
  services.forEach((s, i) => {
    // A bucket in which a service handled nothing has no percentile: the line goes on over it.
    latency.push({ label: s.service + ' p99', stroke: colour(i), width: 2, spanGaps: true });
    latencyData.push(s.p99Ms);
    latency.push({ label: s.service + ' p50', stroke: colour(i), width: 1, dash: [4, 4], spanGaps: true });
    latencyData.push(s.p50Ms);
  });
  chart('chart-latency', 'Handling time p50 / p99 (ms), by service', latency, latencyData);
  const sagaSeries = [['started', '#4f7cff'], ['completed', '#2b8a3e'], ['compensated', '#e67700'], ['failed', '#c92a2a']];
  chart('chart-sagas', 'Sagas per second', sagaSeries.map(([l, c]) => ({ label: l, stroke: c, width: 2 })),
    [xs].concat(sagaSeries.map(([l]) => sumOver('sagas' + l[0].toUpperCase() + l.slice(1)))));
  const deadSeries = [{ label: 'dead-lettered /s', stroke: '#c92a2a', width: 2 }];
  const deadData = [xs, sumOver('deadLettered')];
  if (ops && ops.deadLetters) {
    deadSeries.push({ label: 'depth', stroke: '#1d2330', width: 2, scale: 'depth' });
    deadData.push(xs.map((x) => depthAt(x * 1000)));
  }
  chart('chart-dead', 'Dead letters', deadSeries, deadData, deadSeries.length > 1 ? [X_AXIS, { size: 50 }, { scale: 'depth', side: 1, size: 50, grid: { show: false } }] : undefined);
}
/** The dead-letter depth the page sampled nearest before at (it is read from /api/ops, not announced). */
function depthAt(at) {
  let value = null;
  for (let i = 0; i < depth.times.length && depth.times[i] <= at + traffic.bucketMs; i++) value = depth.values[i];
  return value;
}
function recent(values, n) {
  const xs = values.slice(-n).filter((v) => v !== null);
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}
function lastOf(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}
function drawTypes() {
  const types = [...traffic.types.values()].sort((a, b) => a.service.localeCompare(b.service) || a.type.localeCompare(b.type));
  const select = $('type-select');
  const keys = types.map((t) => t.service + ' · ' + t.type);
  if (select.dataset.keys !== keys.join('|')) {
    const chosen = select.value;
    select.innerHTML = keys.map((k) => '<option value="' + esc(k) + '">' + esc(k) + '</option>').join('');
    if (keys.includes(chosen)) select.value = chosen;
    select.dataset.keys = keys.join('|');
  }
  $('types').querySelector('tbody').innerHTML = types.map((t) =>
    '<tr data-service="' + esc(t.service) + '" data-type="' + esc(t.type) + '">' +
    '<td>' + esc(t.service) + '</td><td>' + esc(t.type) + '</td><td>' + esc(t.kind) + '</td>' +
    '<td class="num">' + fmt(recent(t.handled, 5)) + '</td><td class="num">' + fmt(recent(t.failed, 5)) + '</td>' +
    '<td class="num">' + fmt(recent(t.sent, 5)) + '</td><td class="num">' + fmt(recent(t.published, 5)) + '</td>' +
    '<td class="num">' + fmt(lastOf(t.p50Ms), 2) + '</td><td class="num">' + fmt(lastOf(t.p99Ms), 2) + '</td></tr>').join('');
}
function drawTypeChart() {
  const t = traffic.types.get($('type-select').value);
  if (!t) return;
  chart('chart-type', t.service + ' · ' + t.type, [
    { label: 'handled /s', stroke: '#2b8a3e', width: 2 },
    { label: 'failed /s', stroke: '#c92a2a', width: 2 },
    { label: 'sent /s', stroke: '#4f7cff', width: 1 },
    { label: 'published /s', stroke: '#7048e8', width: 1 },
    { label: 'p50 ms', stroke: '#e67700', width: 1, dash: [4, 4], scale: 'ms', spanGaps: true },
    { label: 'p99 ms', stroke: '#e67700', width: 2, scale: 'ms', spanGaps: true },
  ], [seconds(), t.handled, t.failed, t.sent, t.published, t.p50Ms, t.p99Ms], [X_AXIS, { size: 50 }, { scale: 'ms', side: 1, size: 50, grid: { show: false } }]);
}

// ---- the map: services as nodes, message types between them as edges (SVG)
function drawMap() {
  const { services, edges } = traffic.topology;
  const names = services.map((s) => s.service);
  const level = new Map(names.map((n) => [n, 0]));
  // Longest path from the services nobody sends to; a cycle stops growing after as many rounds as services.
  for (let round = 0; round < names.length; round++) {
    let changed = false;
    for (const e of edges) {
      const next = (level.get(e.from) || 0) + 1;
      if (level.has(e.to) && next < names.length && next > level.get(e.to)) {
        level.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map();
  for (const n of names) {
    const l = level.get(n);
    if (!columns.has(l)) columns.set(l, []);
    columns.get(l).push(n);
  }
  const W = 190, H = 54, GAP_X = 170, GAP_Y = 46;
  const pos = new Map();
  let height = 0;
  for (const [l, col] of columns) {
    col.forEach((n, i) => pos.set(n, { x: 20 + l * (W + GAP_X), y: 20 + i * (H + GAP_Y) }));
    height = Math.max(height, 20 + col.length * (H + GAP_Y));
  }
  const width = 40 + Math.max(1, columns.size) * (W + GAP_X) - GAP_X;
  const pairs = new Map();
  for (const e of edges) {
    const key = e.from + '>' + e.to;
    if (!pairs.has(key)) pairs.set(key, []);
    pairs.get(key).push(e);
  }
  let svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + Math.max(height, 120) + '" viewBox="0 0 ' + width + ' ' + Math.max(height, 120) + '">' +
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5c6370"/></marker></defs>';
  for (const list of pairs.values()) {
    const a = pos.get(list[0].from), b = pos.get(list[0].to);
    if (!a || !b) continue;
    const forward = b.x > a.x;
    const x1 = forward ? a.x + W : a.x + W / 2, y1 = forward ? a.y + H / 2 : a.y + H;
    const x2 = forward ? b.x : b.x + W / 2, y2 = forward ? b.y + H / 2 : b.y + H;
    const bend = forward ? (x2 - x1) / 2 : 60;
    const d = forward ? 'M' + x1 + ',' + y1 + ' C' + (x1 + bend) + ',' + y1 + ' ' + (x2 - bend) + ',' + y2 + ' ' + x2 + ',' + y2
      : 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + (y1 + bend) + ' ' + x2 + ',' + (y2 + bend) + ' ' + x2 + ',' + y2;
    const rate = list.reduce((s, e) => s + e.perSecond, 0);
    const kind = list.every((e) => e.kind === 'event') ? 'event' : list.every((e) => e.kind === 'query') ? 'query' : 'command';
    svg += '<g class="edge edge-' + kind + '" data-from="' + esc(list[0].from) + '" data-to="' + esc(list[0].to) + '" data-types="' + esc(list.map((e) => e.type).join(' ')) + '">' +
      '<path d="' + d + '" stroke-width="' + (1.5 + Math.min(4, Math.log10(1 + rate) * 2)).toFixed(1) + '" marker-end="url(#arrow)"/>';
    // Labels sit by the arrow's head: a service fanning out to many keeps them apart.
    const lx = forward ? x2 - 10 : (x1 + x2) / 2, ly = forward ? y2 - 8 : (y1 + y2) / 2 + bend * 0.75;
    list.forEach((e, i) => {
      svg += '<text class="edge-label" data-type="' + esc(e.type) + '" x="' + lx + '" y="' + (ly - (list.length - 1 - i) * 14) + '" text-anchor="' + (forward ? 'end' : 'middle') + '">' +
        esc(e.type) + ' · ' + esc(fmt(e.perSecond)) + '/s</text>';
    });
    svg += '</g>';
  }
  for (const s of services) {
    const p = pos.get(s.service);
    svg += '<g class="node" data-service="' + esc(s.service) + '"><rect x="' + p.x + '" y="' + p.y + '" width="' + W + '" height="' + H + '" rx="8"/>' +
      '<text x="' + (p.x + W / 2) + '" y="' + (p.y + 23) + '" text-anchor="middle" class="node-name">' + esc(s.service) + '</text>' +
      '<text x="' + (p.x + W / 2) + '" y="' + (p.y + 41) + '" text-anchor="middle" class="node-meta">' + esc(s.instances) + ' instance' + (s.instances === 1 ? '' : 's') + '</text></g>';
  }
  svg += '</svg>';
  $('map').innerHTML = services.length === 0 ? '<p>no services announced yet</p>' : svg;
}

// ---- operations: what the service allows (GET /api/ops), the token
let ops = null;
async function refreshOps() {
  try {
    ops = await getJson('/api/ops');
    $('ops-status').textContent = ops.actions ? 'actions enabled' : 'read-only (CATGA_DASHBOARD_ACTIONS is not true)';
    document.body.classList.toggle('actions', ops.actions === true);
  } catch (e) {
    ops = { actions: false, deadLetters: false, unavailable: true };
    $('ops-status').textContent = 'no operations API on this instance (' + e.message + ')';
    document.body.classList.remove('actions');
  }
  $('token-state').textContent = sessionStorage.getItem(TOKEN_KEY) ? 'token set for this tab' : 'no token yet';
}
$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const value = $('token').value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = '';
  $('token-state').textContent = value ? 'token set for this tab' : 'no token yet';
});
function needToken() {
  if (sessionStorage.getItem(TOKEN_KEY)) return false;
  say('Enter the operator token first (CATGA_OPERATOR_TOKEN).', true);
  $('token').focus();
  return true;
}
function say(text, bad) {
  const el = $('action-status');
  el.textContent = text;
  el.className = bad ? 'error' : 'ok';
}
/** Runs a write action; a 401 forgets the token so the person types it again. */
async function act(what, work) {
  if (needToken()) return undefined;
  try {
    const result = await work();
    return result;
  } catch (e) {
    if (e.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    say(what + ' failed: ' + e.message, true);
    $('token-state').textContent = sessionStorage.getItem(TOKEN_KEY) ? 'token set for this tab' : 'no token yet';
    return undefined;
  }
}
/** A destructive button asks once more on its first click. */
function confirmed(button) {
  if (button.dataset.armed === '1') {
    button.dataset.armed = '';
    button.textContent = button.dataset.label;
    return true;
  }
  button.dataset.label = button.textContent;
  button.dataset.armed = '1';
  button.textContent = 'confirm ' + button.textContent.toLowerCase();
  setTimeout(() => {
    if (button.dataset.armed === '1') {
      button.dataset.armed = '';
      button.textContent = button.dataset.label;
    }
  }, 5000);
  return false;
}

// ---- dead letters, grouped by type, group and error
let deadLetters = [];
async function refreshDeadLetters() {
  if (!ops || !ops.deadLetters) {
    $('dead-letters-status').textContent = ops && ops.unavailable ? 'not available here' : 'this transport does not list dead letters';
    return;
  }
  try {
    const limit = 1000;
    deadLetters = (await getJson('/api/ops/dead-letters?limit=' + limit)).items;
    depth.times.push(Date.now());
    depth.values.push(deadLetters.length);
    while (depth.times.length > 0 && depth.times[0] < Date.now() - HISTORY_MS) {
      depth.times.shift();
      depth.values.shift();
    }
    $('dead-letters-status').textContent = (deadLetters.length >= limit ? 'at least ' : '') + deadLetters.length + ' dead letter(s)';
    // The one shown was redriven or purged meanwhile.
    const shown = $('dead-letter-detail').dataset.id;
    if (shown && !deadLetters.some((d) => d.id === shown)) $('dead-letter-detail').hidden = true;
    drawDeadLetters();
  } catch (e) {
    $('dead-letters-status').textContent = 'cannot list dead letters: ' + e.message;
  }
}
function groupsOf(items) {
  const groups = new Map();
  for (const d of items) {
    const key = d.type + '\u0000' + d.group + '\u0000' + d.error.code + '\u0000' + d.error.message;
    if (!groups.has(key)) groups.set(key, { key, type: d.type, group: d.group, code: d.error.code, message: d.error.message, items: [] });
    groups.get(key).items.push(d);
  }
  return [...groups.values()].sort((a, b) => b.items.length - a.items.length || a.type.localeCompare(b.type));
}
let openGroup = null;
function drawDeadLetters() {
  const groups = groupsOf(deadLetters);
  $('dead-letters').querySelector('tbody').innerHTML = groups.length === 0 ? '<tr><td colspan="7">none</td></tr>' : groups.map((g, i) => {
    const last = Math.max(...g.items.map((d) => d.deadLetteredAt));
    const open = openGroup === g.key;
    return '<tr class="group" data-group-index="' + i + '" data-type="' + esc(g.type) + '" data-error-code="' + esc(g.code) + '">' +
      '<td><button class="link" data-do="open">' + (open ? '▾ ' : '▸ ') + esc(g.type) + '</button></td><td>' + esc(g.group) + '</td>' +
      '<td class="num">' + g.items.length + '</td><td><code>' + esc(g.code) + '</code></td><td class="error-text">' + esc(g.message) + '</td>' +
      '<td>' + time(last) + '</td>' +
      '<td class="actions-only"><button data-do="redrive">Redrive</button> <button data-do="purge" class="danger">Purge</button></td></tr>' +
      (open ? '<tr class="entries"><td colspan="7"><table><thead><tr><th>id</th><th>message id</th><th class="num">deliveries</th><th>dead-lettered</th></tr></thead><tbody>' +
        g.items.map((d) => '<tr data-dead-letter-id="' + esc(d.id) + '"><td><button class="link" data-do="entry" data-id="' + esc(d.id) + '">' + esc(d.id) + '</button></td>' +
          '<td>' + esc(d.messageId || '') + '</td><td class="num">' + esc(d.deliveries) + '</td><td>' + time(d.deadLetteredAt) + '</td></tr>').join('') +
        '</tbody></table></td></tr>' : '');
  }).join('');
  $('dead-letters').dataset.groups = String(groups.length);
}
$('dead-letters').addEventListener('click', async (ev) => {
  const button = ev.target.closest('button');
  if (!button) return;
  if (button.dataset.do === 'entry') return showDeadLetter(button.dataset.id);
  const row = button.closest('tr.group');
  const g = groupsOf(deadLetters)[Number(row.dataset.groupIndex)];
  if (!g) return;
  if (button.dataset.do === 'open') {
    openGroup = openGroup === g.key ? null : g.key;
    return drawDeadLetters();
  }
  const ids = g.items.map((d) => d.id);
  if (button.dataset.do === 'redrive') {
    if (!confirmed(button)) return;
    const answer = await act('Redrive', () => postJson('/api/ops/dead-letters/redrive', { ids }));
    if (!answer) return;
    const redriven = answer.results.filter((r) => r.outcome === 'redriven').length;
    const failed = answer.results.filter((r) => r.outcome === 'failed');
    say('Redrive of ' + g.type + ': ' + redriven + ' redriven' + (failed.length ? ', ' + failed.length + ' failed: ' + failed.map((r) => r.id + ' ' + (r.error ? r.error.code + ' ' + r.error.message : '')).join('; ') : ''), failed.length > 0);
  } else if (button.dataset.do === 'purge') {
    if (!confirmed(button)) return;
    const answer = await act('Purge', () => postJson('/api/ops/dead-letters/purge', { ids }));
    if (!answer) return;
    say('Purged ' + answer.purged + ' dead letter(s) of ' + g.type, false);
  }
  await refreshDeadLetters();
});
async function showDeadLetter(id) {
  try {
    const d = await getJson('/api/ops/dead-letters/' + encodeURIComponent(id));
    $('dead-letter-detail').hidden = false;
    $('dead-letter-detail').dataset.id = d.id;
    $('dead-letter-title').textContent = d.type + ' · ' + d.id;
    $('dead-letter-error').textContent = d.error.code + ': ' + d.error.message + (d.error.details === undefined ? '' : '\n' + JSON.stringify(d.error.details, null, 2));
    $('dead-letter-headers').textContent = JSON.stringify(d.headers, null, 2);
    $('dead-letter-body').textContent = JSON.stringify(d.body, null, 2);
  } catch (e) {
    say('Cannot read dead letter ' + id + ': ' + e.message, true);
  }
}

// ---- sagas: filter by status and name, open one for its steps, retry or abort
let sagaOpen = null;
async function refreshSagas() {
  if (!ops || ops.unavailable) {
    $('saga-list-status').textContent = 'not available here';
    return;
  }
  try {
    const q = new URLSearchParams({ limit: '100' });
    if ($('saga-status').value) q.set('status', $('saga-status').value);
    if ($('saga-name').value.trim()) q.set('name', $('saga-name').value.trim());
    const { items } = await getJson('/api/ops/sagas?' + q);
    $('saga-list-status').textContent = items.length + ' saga(s)';
    $('saga-list').querySelector('tbody').innerHTML = items.length === 0 ? '<tr><td colspan="5">none</td></tr>' : items.map((s) =>
      '<tr data-saga-id="' + esc(s.sagaId) + '" data-status="' + esc(s.status) + '" class="' + (s.sagaId === sagaOpen ? 'open' : '') + '">' +
      '<td><button class="link" data-saga="' + esc(s.sagaId) + '">' + esc(s.sagaId) + '</button></td><td>' + esc(s.sagaName) + '</td>' +
      '<td><span class="saga-status saga-' + esc(s.status) + '">' + esc(s.status) + '</span></td>' +
      '<td>' + s.steps.map((st) => esc(st.name) + ' ' + esc(st.status)).join(', ') + '</td><td>' + time(s.updatedAt) + '</td></tr>').join('');
    if (sagaOpen) await showSaga(sagaOpen);
  } catch (e) {
    $('saga-list-status').textContent = 'cannot list sagas: ' + e.message;
  }
}
function sagaDetail(s) {
  $('saga-detail').hidden = false;
  $('saga-detail').dataset.sagaId = s.sagaId;
  $('saga-detail').dataset.status = s.status;
  $('saga-title').innerHTML = esc(s.sagaName) + ' <code>' + esc(s.sagaId) + '</code> <span class="saga-status saga-' + esc(s.status) + '">' + esc(s.status) + '</span>';
  $('saga-error').textContent = s.error ? s.error.code + ': ' + s.error.message : '';
  $('saga-steps').querySelector('tbody').innerHTML = s.steps.map((st) =>
    '<tr data-step="' + esc(st.name) + '" data-step-status="' + esc(st.status) + '"><td>' + esc(st.name) + '</td><td>' + esc(st.status) + '</td>' +
    '<td class="num">' + esc(st.attempts) + (st.compensationRound ? ' (round ' + esc(st.compensationRound) + ')' : '') + '</td>' +
    '<td><pre>' + esc(st.result === undefined ? '' : JSON.stringify(st.result, null, 1)) + '</pre></td>' +
    '<td class="error-text">' + (st.error ? esc(st.error.code + ': ' + st.error.message) : '') + '</td></tr>').join('');
  $('saga-retry').hidden = s.status !== 'Failed';
  $('saga-abort').hidden = TERMINAL.includes(s.status);
}
async function showSaga(id) {
  try {
    sagaDetail(await getJson('/api/ops/sagas/' + encodeURIComponent(id)));
  } catch (e) {
    say('Cannot read saga ' + id + ': ' + e.message, true);
  }
}
$('saga-list').addEventListener('click', (ev) => {
  const button = ev.target.closest('button[data-saga]');
  if (!button) return;
  sagaOpen = button.dataset.saga;
  void showSaga(sagaOpen);
});
$('saga-status').addEventListener('change', () => void refreshSagas());
$('saga-name').addEventListener('change', () => void refreshSagas());
for (const [id, verb] of [['saga-retry', 'retry'], ['saga-abort', 'abort']]) {
  $(id).addEventListener('click', async (ev) => {
    const sagaId = $('saga-detail').dataset.sagaId;
    if (!sagaId || !confirmed(ev.currentTarget)) return;
    const state = await act(verb === 'retry' ? 'Retry' : 'Abort', () => postJson('/api/ops/sagas/' + encodeURIComponent(sagaId) + '/' + verb, {}));
    if (!state) return;
    say('Saga ' + sagaId + ' ' + (verb === 'retry' ? 'retried' : 'aborted') + ': now ' + state.status, false);
    sagaDetail(state);
    await refreshSagas();
  });
}

$('type-select').addEventListener('change', () => drawTypeChart());
refresh();
setInterval(refresh, 1000);
refreshOps().then(() => {
  void refreshDeadLetters();
  void refreshSagas();
});
setInterval(() => void refreshOps(), 15000);
setInterval(() => void refreshDeadLetters(), 3000);
setInterval(() => void refreshSagas(), 3000);
refreshTraffic();
setInterval(refreshTraffic, 2000);
`;
