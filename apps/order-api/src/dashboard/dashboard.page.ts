import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DASHBOARD_SCRIPT } from './dashboard.script.js';

/** uPlot (MIT), from this package's dependency: inlined, so the page needs no CDN and its CSP stays one hash. */
const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
const UPLOT_JS = readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8');
if (UPLOT_JS.includes('</script') || UPLOT_CSS.includes('</style')) throw new Error('uPlot cannot be inlined: it closes its own element');

/**
 * The cluster dashboard: one self-contained page. It polls `GET /api/cluster` every second
 * (instances: state, load, connection; sagas by status; recent faults) and
 * `GET /api/cluster/traffic` every heartbeat (charts over the last minutes and the map of the
 * system, from every instance's announcements), and, through the operations API (`/api/ops`),
 * lists dead letters and sagas, with redrive, purge, retry and abort when actions are enabled.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Catga cluster</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
${UPLOT_CSS}
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { opacity: .7; }
  header nav a { color: #c9d4ff; margin-right: 12px; }
  header form { margin-left: auto; display: flex; gap: 6px; align-items: baseline; }
  main { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  section h2 { font-size: 15px; margin: 0 0 8px; }
  section .hint { color: #5c6370; font-size: 12px; margin: -4px 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; white-space: nowrap; vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.error-text { white-space: normal; color: #8a1c1c; max-width: 480px; }
  td pre { margin: 0; font-size: 12px; white-space: pre-wrap; max-width: 360px; }
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
  .ok { color: #17692b; }
  .charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }
  .chart { min-height: 250px; }
  .types { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; }
  .scroll { overflow-x: auto; }
  #map { overflow-x: auto; }
  #map rect { fill: #eef2ff; stroke: #4f7cff; stroke-width: 1.5; }
  #map .node-name { font-weight: 600; font-size: 13px; }
  #map .node-meta { font-size: 11px; fill: #5c6370; }
  #map .edge path { fill: none; stroke: #5c6370; }
  #map .edge-event path { stroke-dasharray: 6 4; stroke: #7048e8; }
  #map .edge-query path { stroke-dasharray: 2 3; }
  #map .edge-label { font-size: 11px; fill: #1d2330; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
  .legend-line { display: inline-block; width: 28px; border-top: 2px solid #5c6370; vertical-align: middle; margin: 0 4px 0 12px; }
  .legend-line.event { border-top: 2px dashed #7048e8; }
  .legend-line.query { border-top: 2px dotted #5c6370; }
  button { font: inherit; border: 1px solid #c5cad3; background: #fff; border-radius: 4px; padding: 1px 8px; cursor: pointer; }
  button.danger { border-color: #e3a3a3; color: #8a1c1c; }
  button.link { border: 0; background: none; padding: 0; color: #2b4fd8; text-decoration: underline; }
  button[data-armed="1"] { background: #fff1cc; }
  .actions-only { display: none; }
  body.actions .actions-only { display: revert; }
  .saga-status { font-weight: 600; }
  .saga-Failed { color: #c92a2a; } .saga-Compensated { color: #e67700; } .saga-Completed { color: #2b8a3e; } .saga-Compensating { color: #7048e8; }
  tr.open { background: #eef2ff; }
  .detail { margin-top: 12px; border-top: 1px solid #eceef2; padding-top: 8px; }
  .detail pre { background: #f6f7f9; padding: 8px; border-radius: 6px; max-height: 240px; overflow: auto; font-size: 12px; }
  .filters { display: flex; gap: 8px; margin-bottom: 8px; align-items: baseline; }
</style>
</head>
<body>
<header>
  <h1>Catga cluster</h1><span class="meta" id="meta">connecting…</span>
  <nav><a href="#traffic">traffic</a><a href="#system-map">map</a><a href="#dead-letter-view">dead letters</a><a href="#saga-view">sagas</a></nav>
  <span id="ops-status" class="meta"></span>
  <form id="token-form"><input id="token" type="password" autocomplete="off" placeholder="operator token"><button type="submit">Use token</button><span id="token-state" class="meta"></span></form>
</header>
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
  <section class="wide" id="traffic">
    <h2>Traffic</h2>
    <p class="hint" id="charts-status">waiting for the first heartbeats…</p>
    <div class="charts">
      <div class="chart" id="chart-handled"></div>
      <div class="chart" id="chart-latency"></div>
      <div class="chart" id="chart-sagas"></div>
      <div class="chart" id="chart-dead"></div>
    </div>
    <h2>By message type</h2>
    <div class="types">
      <div class="scroll">
        <table id="types">
          <thead><tr><th>service</th><th>type</th><th>kind</th><th class="num">handled/s</th><th class="num">failed/s</th><th class="num">sent/s</th><th class="num">published/s</th><th class="num">p50 ms</th><th class="num">p99 ms</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <div><select id="type-select" aria-label="message type"></select><div class="chart" id="chart-type"></div></div>
    </div>
  </section>
  <section class="wide" id="system-map">
    <h2>Map of the system</h2>
    <p class="hint">Services, and the message types each sends or publishes to those that handle them, with the rate over the last 10 s.
      <span class="legend-line"></span>command <span class="legend-line query"></span>query <span class="legend-line event"></span>event</p>
    <div id="map"></div>
  </section>
  <section class="wide" id="dead-letter-view">
    <h2>Dead letters</h2>
    <p class="hint" id="dead-letters-status">…</p>
    <p id="action-status"></p>
    <table id="dead-letters">
      <thead><tr><th>type</th><th>handler group</th><th class="num">count</th><th>error</th><th>message</th><th>last</th><th class="actions-only"></th></tr></thead>
      <tbody></tbody>
    </table>
    <div class="detail" id="dead-letter-detail" hidden>
      <h2 id="dead-letter-title"></h2>
      <pre id="dead-letter-error"></pre>
      <div class="charts"><div><b>headers</b><pre id="dead-letter-headers"></pre></div><div><b>body</b><pre id="dead-letter-body"></pre></div></div>
    </div>
  </section>
  <section class="wide" id="saga-view">
    <h2>Sagas</h2>
    <div class="filters">
      <select id="saga-status" aria-label="saga status"><option value="">any status</option><option>Pending</option><option>Running</option><option>Compensating</option><option>Completed</option><option>Compensated</option><option>Failed</option></select>
      <input id="saga-name" placeholder="saga name" aria-label="saga name">
      <span class="hint" id="saga-list-status"></span>
    </div>
    <table id="saga-list">
      <thead><tr><th>saga id</th><th>name</th><th>status</th><th>steps</th><th>updated</th></tr></thead>
      <tbody></tbody>
    </table>
    <div class="detail" id="saga-detail" hidden>
      <h2 id="saga-title"></h2>
      <p class="error" id="saga-error"></p>
      <table id="saga-steps">
        <thead><tr><th>step</th><th>status</th><th class="num">attempts</th><th>result</th><th>error</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="actions-only"><button id="saga-retry" hidden>Retry</button> <button id="saga-abort" class="danger" hidden>Abort</button></p>
    </div>
  </section>
</main>
<script>${UPLOT_JS}
${DASHBOARD_SCRIPT}</script>
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
