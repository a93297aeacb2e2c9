import { createHash } from 'node:crypto';

/**
 * The cluster dashboard: one self-contained page polling `GET /api/cluster` every second and
 * showing instances (state, load, connection), sagas by status and recent faults.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Catga cluster</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { opacity: .7; }
  main { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; }
  section h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; white-space: nowrap; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .status { font-weight: 600; border-radius: 4px; padding: 1px 6px; }
  .status-ready { background: #dff5e3; color: #17692b; }
  .status-draining { background: #fff1cc; color: #7a5600; }
  .status-suspect { background: #ffe0cc; color: #8a3b00; }
  .status-gone { background: #f3d6d6; color: #8a1c1c; }
  .bar { background: #4f7cff; height: 8px; border-radius: 4px; }
  .sagas { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
  .saga { background: #f6f7f9; border-radius: 6px; padding: 8px; }
  .saga b { display: block; font-size: 20px; }
  #events li { margin: 2px 0; }
  #events .kind { font-weight: 600; }
  .error { color: #8a1c1c; }
</style>
</head>
<body>
<header><h1>Catga cluster</h1><span class="meta" id="meta">connecting…</span></header>
<main>
  <section style="grid-row: span 2">
    <h2>Instances</h2>
    <table id="instances">
      <thead><tr><th>service</th><th>instance</th><th>status</th><th class="num">handled</th><th class="num">failed</th><th class="num">in flight</th><th class="num">rate/s</th><th>load</th><th>transport</th><th class="num">last seen</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section>
    <h2>Sagas</h2>
    <div class="sagas" id="sagas"></div>
  </section>
  <section>
    <h2>Recent faults and changes</h2>
    <ul id="events"></ul>
  </section>
</main>
<script>
const previous = new Map();
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
async function refresh() {
  try {
    const res = await fetch('/api/cluster', { cache: 'no-store' });
    const c = await res.json();
    render(c);
  } catch (e) {
    document.getElementById('meta').innerHTML = '<span class="error">cannot reach /api/cluster: ' + esc(e.message) + '</span>';
  }
}
function render(c) {
  const live = c.members.filter((m) => m.status !== 'gone');
  document.getElementById('meta').textContent = 'seen from ' + c.self.instance + ' · ' + live.length + ' live instance(s) · ' + new Date(c.at).toLocaleTimeString();
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
  document.getElementById('sagas').innerHTML = Object.entries(c.sagas).map(([status, n]) =>
    '<div class="saga" data-saga-status="' + esc(status) + '"><b>' + esc(n) + '</b>' + esc(status) + '</div>').join('');
  document.getElementById('events').innerHTML = c.events.length === 0 ? '<li>none yet</li>' : c.events.map((e) =>
    '<li data-kind="' + esc(e.kind) + '">' + new Date(e.at).toLocaleTimeString() + ' <span class="kind">' + esc(e.kind) + '</span> ' +
    esc(e.instance) + (e.detail ? ' · ' + esc(e.detail) : '') + '</li>').join('');
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;

const script = /<script>([\s\S]*)<\/script>/.exec(DASHBOARD_PAGE)![1]!;

/**
 * The page's Content-Security-Policy: only its own inline script (by hash) runs, it may fetch
 * only from this origin, and nothing else loads; a value that slipped past escaping cannot run.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
