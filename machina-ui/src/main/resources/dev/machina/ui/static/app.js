// The machina runs dashboard: plain JavaScript over the server's JSON API, charts by uPlot.
'use strict';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563', '#65a30d', '#9333ea'];
const TERMINAL = new Set(['completed', 'stopped-early', 'pruned', 'failed', 'interrupted', 'crashed']);
const STATUSES = ['running', 'completed', 'stopped-early', 'pruned', 'failed', 'interrupted', 'crashed', 'unknown', 'unreadable'];
window.machinaCharts = {};
window.machinaLoadedAt = Date.now();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null) continue;
    e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function getJson(url) {
  const r = await fetch(url, {cache: 'no-store'});
  if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + (await r.text()));
  return r.json();
}

function param(name) { return new URLSearchParams(location.search).get(name); }
function enc(p) { return encodeURIComponent(p); }
function fileUrl(path) { return '/files/' + path.split('/').map(encodeURIComponent).join('/'); }
function runUrl(path) { return '/run?p=' + enc(path); }

function fmt(v) {
  if (v == null || v === '' || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
function fmtMetric(v) { return typeof v === 'number' ? v.toFixed(4) : fmt(v); }
function fmtDuration(s) {
  if (s == null) return '—';
  if (s < 60) return s.toFixed(1) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
}
function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = n => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}
function fmtBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}
function badge(status) { return el('span', {class: 'badge ' + status, 'data-status': status}, status); }
function problemsBox(problems) {
  if (!problems || problems.length === 0) return null;
  return el('div', {class: 'problems', id: 'problems'}, el('b', {}, 'Some of this run could not be read; what could be is shown.'),
    el('ul', {}, problems.map(p => el('li', {}, p))));
}
function card(title, ...body) { return el('div', {class: 'card'}, title ? el('h2', {}, title) : null, ...body); }

// ---- charts ----

function chartWidth(container) { return Math.max(300, (container.clientWidth || 600) - 4); }

/** A line chart: x values and named series (arrays aligned with x, null for gaps). */
function lineChart(id, container, title, xLabel, x, series, opts) {
  opts = opts || {};
  const old = window.machinaCharts[id];
  if (old) old.destroy();
  const u = new uPlot({
    title: title, width: chartWidth(container), height: opts.height || 240,
    scales: {x: Object.assign({time: false, distr: opts.xLog ? 3 : 1}, opts.points ? {range: padded(opts.xLog)} : {}), y: {distr: opts.yLog ? 3 : 1}},
    axes: [
      Object.assign({label: xLabel, size: 44, values: (u, vals) => vals.map(v => v == null ? '' : fmt(v))}, opts.integerX ? {incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]} : {}),
      {label: opts.yLabel || '', size: 64, values: (u, vals) => vals.map(v => v == null ? '' : fmt(v))}],
    series: [{label: xLabel}].concat(series.map((s, i) => ({
      label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: 2, spanGaps: true,
      points: opts.points ? {show: true, size: 8, fill: s.color || COLORS[i % COLORS.length]} : {show: x.length < 40, size: 5},
      paths: opts.points ? () => null : undefined,
      value: (u, v) => v == null ? '—' : fmt(v),
    }))),
    legend: {show: true},
  }, [x].concat(series.map(s => s.values)), container);
  window.machinaCharts[id] = u;
  return u;
}

/** An x range with room around scatter points, so none sits on the frame. */
function padded(log) {
  return (u, min, max) => {
    if (min == null || max == null) return [min, max];
    if (log) return [Math.pow(10, Math.floor(Math.log10(min / 1.2))), Math.pow(10, Math.ceil(Math.log10(max * 1.2)))];
    const pad = (max - min) * 0.06 || Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  };
}

/** Curves with their own x values (ROC, PR): merged onto one sorted x axis with gaps. */
function xyChart(id, container, title, xLabel, yLabel, curves) {
  const pts = [];
  curves.forEach((c, i) => c.x.forEach((xv, j) => pts.push([xv, i, c.y[j]])));
  pts.sort((a, b) => a[0] - b[0]);
  const x = pts.map(p => p[0]);
  const series = curves.map((c, i) => ({label: c.label, values: pts.map(p => p[1] === i ? p[2] : null)}));
  return lineChart(id, container, title, xLabel, x, series, {yLabel: yLabel, height: 280});
}

function epochSeries(epochs, keys) {
  const x = epochs.map((e, i) => e.epoch != null ? e.epoch : i + 1);
  return {x: x, series: keys.map(k => ({label: k, values: epochs.map(e => e[k] == null ? null : e[k])}))};
}

/** A language model's per-character cross-entropy as perplexity too (exp of the loss), when the log has none. */
function withPerplexity(e) {
  const out = Object.assign({}, e);
  for (const split of ['train', 'val']) {
    const loss = e[split + '_loss'], key = split + '_perplexity';
    if (out[key] == null && typeof loss === 'number') out[key] = Math.exp(loss);
  }
  return out;
}

function metricGroups(epochs) {
  const keys = new Set();
  epochs.forEach(e => Object.keys(e).forEach(k => keys.add(k)));
  const ks = [...keys];
  const groups = [];
  const loss = ks.filter(k => /loss$/.test(k));
  const acc = ks.filter(k => /accuracy$/.test(k));
  const ppl = ks.filter(k => /perplexity$/.test(k));
  if (loss.length) groups.push({id: 'loss', title: 'Loss', keys: loss});
  if (acc.length) groups.push({id: 'accuracy', title: 'Accuracy', keys: acc});
  if (ppl.length) groups.push({id: 'perplexity', title: 'Perplexity', keys: ppl});
  if (keys.has('lr')) groups.push({id: 'lr', title: 'Learning rate', keys: ['lr']});
  return groups;
}

// ---- the runs table ----

const COLUMNS = [
  {key: 'name', label: 'name'}, {key: 'id', label: 'id'}, {key: 'status', label: 'status'},
  {key: 'start', label: 'started'}, {key: 'duration_s', label: 'duration', num: true},
  {key: 'dataset', label: 'dataset'}, {key: 'model', label: 'model'}, {key: 'optimizer', label: 'optimizer'},
  {key: 'lr', label: 'lr', num: true}, {key: 'batch_size', label: 'batch', num: true}, {key: 'epochs', label: 'epochs', num: true},
  {key: 'best_val', label: 'best val', num: true}, {key: 'test', label: 'test', num: true},
];

function cellText(r, c) {
  switch (c.key) {
    case 'start': return fmtTime(r.start);
    case 'duration_s': return fmtDuration(r.duration_s);
    case 'lr': return fmt(r.lr);
    case 'batch_size': return fmt(r.batch_size);
    case 'epochs': return r.epochs_planned != null ? r.epochs + ' / ' + r.epochs_planned : String(r.epochs);
    case 'best_val': return r.best_val == null ? '—' : fmtMetric(r.best_val) + ' ' + shortMetric(r.best_val_metric);
    case 'test': return r.test == null ? '—' : fmtMetric(r.test) + ' ' + shortMetric(r.test_metric);
    default: return r[c.key] == null || r[c.key] === '' ? '—' : String(r[c.key]);
  }
}
function shortMetric(m) { return m ? m.replace(/^(val|test)_/, '').replace('accuracy', 'acc') : ''; }

async function pageIndex(main) {
  const state = {sort: 'start', dir: -1, text: '', status: '', selected: new Set(), data: null};
  const search = el('input', {type: 'search', id: 'filter', placeholder: 'filter: name, dataset, model, optimizer…'});
  const status = el('select', {id: 'status-filter'}, el('option', {value: ''}, 'every status'), STATUSES.map(s => el('option', {value: s}, s)));
  const compare = el('button', {id: 'compare', disabled: true}, 'compare selected');
  const count = el('span', {class: 'muted', id: 'count'});
  const sweeps = el('div', {id: 'sweeps'});
  const thead = el('thead');
  const tbody = el('tbody', {id: 'runs-body'});
  main.replaceChildren(el('h1', {}, 'Runs'), sweeps,
    el('div', {class: 'toolbar'}, search, status, compare, count),
    el('div', {class: 'tablewrap'}, el('table', {id: 'runs'}, thead, tbody)));
  search.addEventListener('input', () => { state.text = search.value.toLowerCase(); render(); });
  status.addEventListener('change', () => { state.status = status.value; render(); });
  compare.addEventListener('click', () => { location.href = '/compare?' + [...state.selected].map(p => 'p=' + enc(p)).join('&'); });

  function header() {
    thead.replaceChildren(el('tr', {}, el('th', {}, ''), COLUMNS.map(c => el('th', {
      class: 'sortable' + (c.num ? ' num' : '') + (state.sort === c.key ? (state.dir > 0 ? ' sorted-asc' : ' sorted-desc') : ''),
      'data-key': c.key,
      onclick: () => { if (state.sort === c.key) state.dir = -state.dir; else { state.sort = c.key; state.dir = c.num ? -1 : 1; } header(); render(); },
    }, c.label))));
  }
  function sortValue(r, k) {
    const v = k === 'epochs' ? r.epochs : r[k];
    return v == null || v === '' ? null : v;
  }
  function render() {
    if (!state.data) return;
    let rows = state.data.runs.filter(r => {
      if (state.status && r.status !== state.status) return false;
      if (!state.text) return true;
      return [r.name, r.id, r.dataset, r.model, r.optimizer, r.status, r.sweep, r.path].join(' ').toLowerCase().includes(state.text);
    });
    rows.sort((a, b) => {
      const x = sortValue(a, state.sort), y = sortValue(b, state.sort);
      if (x == null && y == null) return 0;
      if (x == null) return 1;
      if (y == null) return -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * state.dir;
    });
    tbody.replaceChildren(...rows.map(r => el('tr', {'data-path': r.path},
      el('td', {}, el('input', {type: 'checkbox', class: 'select', checked: state.selected.has(r.path), onchange: ev => {
        if (ev.target.checked) state.selected.add(r.path); else state.selected.delete(r.path);
        compare.disabled = state.selected.size < 2;
      }})),
      COLUMNS.map(c => {
        const td = el('td', {class: (c.num ? 'num ' : '') + (c.key === 'model' ? 'model' : ''), 'data-col': c.key, title: c.key === 'model' ? r.model : null});
        if (c.key === 'name') {
          td.append(el('a', {href: runUrl(r.path)}, r.name));
          if (r.sweep_path) td.append(' ', el('a', {href: '/sweep?p=' + enc(r.sweep_path), class: 'muted', title: 'the sweep'}, '(sweep)'));
          if (r.problems && r.problems.length) td.append(' ', el('span', {class: 'badge failed', title: r.problems.join('\n')}, '!'));
        } else if (c.key === 'status') td.append(badge(r.status));
        else td.append(cellText(r, c));
        return td;
      }))));
    if (rows.length === 0) tbody.replaceChildren(el('tr', {}, el('td', {colspan: COLUMNS.length + 1, class: 'empty'},
      state.data.runs.length ? 'no run matches the filter' : 'no runs under ' + state.data.root + ' yet — train one: ./machina train examples/digits-mlp.yaml')));
    count.textContent = rows.length + ' of ' + state.data.runs.length + ' runs';
    compare.disabled = state.selected.size < 2;
  }
  function renderSweeps() {
    const s = state.data.sweeps;
    sweeps.replaceChildren(s.length ? card('Sweeps', el('ul', {}, s.map(w => el('li', {},
      el('a', {href: '/sweep?p=' + enc(w.path)}, w.name + ' / ' + w.id), el('span', {class: 'muted'},
        ' — ' + [w.strategy, w.trials != null ? w.trials + ' trials' : null, w.objective ? 'objective ' + w.objective : null].filter(Boolean).join(', ')))))) : '');
  }
  async function load() {
    state.data = await getJson('/api/runs');
    document.getElementById('root').textContent = state.data.root;
    renderSweeps();
    render();
  }
  header();
  await load();
  setInterval(() => load().catch(() => {}), 3000);
}

// ---- a run ----

async function pageRun(main) {
  const path = param('p');
  let data = await getJson('/api/run?p=' + enc(path));
  let epochs = data.history || [];
  render();
  let timer = null;
  if (!TERMINAL.has(data.status)) timer = setInterval(poll, 1500);

  async function poll() {
    try {
      const m = await getJson('/api/metrics?p=' + enc(path) + '&since=' + epochs.length);
      if (m.total < epochs.length) { epochs = []; return; }
      epochs = epochs.concat(m.epochs);
      updateLive(m);
      if (m.status !== data.status || TERMINAL.has(m.status)) {
        if (TERMINAL.has(m.status)) clearInterval(timer);
        data = await getJson('/api/run?p=' + enc(path));
        epochs = data.history || [];
        render();
      }
    } catch (e) { /* the next poll tries again */ }
  }

  function updateLive(m) {
    document.getElementById('epochs').textContent = epochsText(m.row);
    const st = document.getElementById('status');
    st.replaceChildren(badge(m.status));
    if (m.log_tail != null) document.getElementById('log').textContent = m.log_tail;
    document.getElementById('problems-holder').replaceChildren(problemsBox(m.row.problems) || '');
    drawCurves();
  }
  function epochsText(r) { return r.epochs_planned != null ? r.epochs + ' / ' + r.epochs_planned : String(r.epochs); }

  function drawCurves() {
    const holder = document.getElementById('curves');
    const shown = data.task === 'language-model' ? epochs.map(withPerplexity) : epochs;
    const groups = metricGroups(shown);
    if (groups.length === 0) { holder.replaceChildren(card('Curves', el('p', {class: 'muted'}, 'no epoch has finished yet'))); return; }
    const ids = groups.map(g => g.id).join(',');
    if (holder.dataset.groups !== ids) {
      holder.dataset.groups = ids;
      holder.replaceChildren(...groups.map(g => el('div', {class: 'card'}, el('div', {class: 'chart', id: 'chart-' + g.id, 'data-chart': g.id}))));
      Object.keys(window.machinaCharts).forEach(k => { window.machinaCharts[k].destroy(); delete window.machinaCharts[k]; });
    }
    for (const g of groups) {
      const s = epochSeries(shown, g.keys);
      const existing = window.machinaCharts[g.id];
      if (existing && existing.series.length === g.keys.length + 1) existing.setData([s.x].concat(s.series.map(x => x.values)));
      else lineChart(g.id, document.getElementById('chart-' + g.id), g.title, 'epoch', s.x, s.series, {integerX: true});
    }
  }

  function render() {
    const r = data;
    const rec = r.record || {};
    document.title = r.name + ' ' + r.id + ' — machina';
    const facts = [
      ['status', el('span', {id: 'status'}, badge(r.status))], ['epochs', el('span', {id: 'epochs'}, epochsText(r))],
      ['started', fmtTime(r.start)], ['duration', fmtDuration(r.duration_s)], ['dataset', r.dataset || '—'],
      ['optimizer', r.optimizer || '—'], ['lr', fmt(r.lr)], ['batch size', fmt(r.batch_size)],
      ['best ' + (r.best_val_metric || 'val'), fmtMetric(r.best_val)], [r.test_metric || 'test', fmtMetric(r.test)],
    ];
    const parts = [
      el('h1', {}, r.name, el('span', {class: 'id'}, r.id), r.status === 'running' ? el('span', {class: 'live'}, '● live') : null,
        r.sweep_path ? el('a', {href: '/sweep?p=' + enc(r.sweep_path), class: 'id'}, 'sweep ' + r.sweep) : null),
      el('div', {id: 'problems-holder'}, problemsBox(r.problems)),
      card(null, el('div', {class: 'facts'}, facts.map(([k, v]) => el('div', {}, el('b', {}, k), v))),
        r.model ? el('p', {class: 'muted'}, 'model: ' + r.model) : null,
        rec.error ? el('p', {class: 'problems'}, 'error: ' + rec.error) : null,
        rec.stop_reason ? el('p', {class: 'muted'}, 'stopped: ' + rec.stop_reason) : null),
      el('div', {class: 'grid', id: 'curves'}),
    ];
    const test = r.test_results;
    if (test && r.task === 'classification') parts.push(...classification(test));
    else if (test) parts.push(card('Test results', kvTable(flatNumbers(test))));
    if (r.misclassified) parts.push(misclassified(r.misclassified));
    parts.push(el('div', {class: 'grid'},
      card('Resolved spec', r.spec ? el('pre', {class: 'light'}, r.spec) : el('p', {class: 'muted'}, 'no spec.yaml (runs recorded from Java code have none)')),
      card('Provenance', rec.provenance ? kvTable(rec.provenance) : el('p', {class: 'muted'}, 'not recorded'))));
    parts.push(card('Log (tail of log.txt)', el('pre', {id: 'log'}, r.log_tail == null ? '(no log.txt)' : r.log_tail || '(empty)')));
    parts.push(card('Files', el('table', {class: 'kv', id: 'files'}, el('tbody', {}, (r.files || []).map(f =>
      el('tr', {}, el('td', {}, el('a', {href: fileUrl(f.path), download: f.name.split('/').pop()}, f.name)), el('td', {class: 'num'}, fmtBytes(f.size))))))));
    main.replaceChildren(...parts.filter(Boolean));
    Object.keys(window.machinaCharts).forEach(k => { window.machinaCharts[k].destroy(); delete window.machinaCharts[k]; });
    drawCurves();
    if (test && r.task === 'classification') drawTestCurves(test);
  }

  function classification(test) {
    const names = [], rows = [];
    for (const [k, v] of Object.entries(test)) {
      if (v && typeof v === 'object' && !Array.isArray(v) && 'precision' in v && 'recall' in v) { rows.push([k, v]); if (!k.endsWith(' avg')) names.push(k); }
    }
    const out = [];
    const cm = test.confusion_matrix;
    const grid = el('div', {class: 'grid'});
    if (Array.isArray(cm) && cm.length && cm.every(row => Array.isArray(row) && row.length === cm.length)) {
      const max = Math.max(1, ...cm.flat());
      grid.append(card('Confusion matrix (rows: true class, columns: predicted)', el('div', {class: 'tablewrap'},
        el('table', {class: 'confusion', id: 'confusion'}, el('thead', {}, el('tr', {}, el('th', {}, ''), cm.map((_, j) => el('th', {}, names[j] || j)))),
          el('tbody', {}, cm.map((row, i) => el('tr', {}, el('th', {}, names[i] || i), row.map((v, j) => {
            const td = el('td', {}, v);
            const a = v / max;
            td.style.background = i === j ? `rgba(22,163,74,${0.08 + 0.8 * a})` : (v ? `rgba(220,38,38,${0.15 + 0.8 * a})` : '#fafafa');
            if (a > 0.55) td.style.color = '#fff';
            return td;
          }))))))));
    }
    const head = el('thead', {}, el('tr', {}, ['class', 'precision', 'recall', 'F1', 'support'].map((h, i) => el('th', {class: i ? 'num' : ''}, h))));
    const body = el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {class: 'num'}, fmtMetric(v.precision)),
      el('td', {class: 'num'}, fmtMetric(v.recall)), el('td', {class: 'num'}, fmtMetric(v['f1-score'])), el('td', {class: 'num'}, v.support))));
    grid.append(card('Per class', el('table', {id: 'per-class'}, head, body),
      el('p', {class: 'muted'}, 'accuracy ' + fmtMetric(test.accuracy) + (test.log_loss != null ? ' · log loss ' + fmtMetric(test.log_loss) : ''))));
    out.push(grid);
    if (test.curves && typeof test.curves === 'object') out.push(el('div', {class: 'grid'}, card(null, el('div', {class: 'chart', id: 'chart-roc'})), card(null, el('div', {class: 'chart', id: 'chart-pr'}))));
    return out;
  }

  function drawTestCurves(test) {
    if (!test.curves || typeof test.curves !== 'object') return;
    const roc = [], pr = [];
    for (const [c, v] of Object.entries(test.curves)) {
      const auc = test.roc_auc && test.roc_auc[c], ap = test.average_precision && test.average_precision[c];
      if (v && v.roc && Array.isArray(v.roc.fpr) && Array.isArray(v.roc.tpr)) roc.push({label: c + (auc != null ? ' (AUC ' + auc.toFixed(3) + ')' : ''), x: v.roc.fpr, y: v.roc.tpr});
      if (v && v.pr && Array.isArray(v.pr.recall) && Array.isArray(v.pr.precision)) pr.push({label: c + (ap != null ? ' (AP ' + ap.toFixed(3) + ')' : ''), x: v.pr.recall, y: v.pr.precision});
    }
    if (roc.length) xyChart('roc', document.getElementById('chart-roc'), 'ROC (one class against the rest)', 'false positive rate', 'true positive rate', roc);
    if (pr.length) xyChart('pr', document.getElementById('chart-pr'), 'Precision–recall', 'recall', 'precision', pr);
  }

  function misclassified(m) {
    const shape = m.image_shape;
    const names = m.class_names || [];
    const ex = (m.examples || []).slice(0, 60);
    if (!Array.isArray(shape) || shape.length < 2) return card('Misclassified examples', el('p', {class: 'muted'}, ex.length + ' examples (no image shape recorded)'));
    const [h, w] = shape;
    return card('Misclassified test examples (' + (m.examples || []).length + ')', el('div', {class: 'examples', id: 'misclassified'}, ex.map(e => {
      const c = el('canvas', {width: w, height: h});
      const px = e.pixels || [];
      if (px.length === h * w) {
        let lo = Infinity, hi = -Infinity;
        px.forEach(v => { lo = Math.min(lo, v); hi = Math.max(hi, v); });
        const ctx = c.getContext('2d'), img = ctx.createImageData(w, h);
        px.forEach((v, i) => { const g = 255 - Math.round(255 * (v - lo) / ((hi - lo) || 1)); img.data.set([g, g, g, 255], i * 4); });
        ctx.putImageData(img, 0, 0);
      }
      const label = k => names[k] != null ? names[k] : k;
      return el('div', {class: 'example', title: '#' + e.index}, c, label(e.true) + ' → ' + label(e.predicted),
        el('br'), el('span', {class: 'muted'}, 'p=' + fmt(e.probability)));
    })));
  }
}

function flatNumbers(o, prefix, out) {
  out = out || {};
  for (const [k, v] of Object.entries(o || {})) {
    const key = prefix ? prefix + '.' + k : k;
    if (v != null && typeof v === 'object' && !Array.isArray(v)) flatNumbers(v, key, out);
    else if (!Array.isArray(v)) out[key] = v;
  }
  return out;
}
function kvTable(o) {
  return el('table', {class: 'kv'}, el('tbody', {}, Object.entries(o).map(([k, v]) =>
    el('tr', {}, el('td', {}, k), el('td', {}, typeof v === 'number' ? fmt(v) : (v != null && typeof v === 'object' ? JSON.stringify(v) : String(v)))))));
}

// ---- compare ----

function fmtValue(v) { return v !== '' && v != null && !Number.isNaN(Number(v)) ? fmt(Number(v)) : String(v); }
function shortKey(k) { return k.replace(/^(optimizer|training|data|schedule|loss)\./, ''); }

async function pageCompare(main) {
  const paths = new URLSearchParams(location.search).getAll('p');
  if (paths.length === 0) { main.replaceChildren(el('p', {class: 'empty'}, 'select runs on the runs page to compare them')); return; }
  const data = await getJson('/api/compare?' + paths.map(p => 'p=' + enc(p)).join('&'));
  const runs = data.runs, diff = data.differing;
  const diffKeys = Object.keys(diff).filter(k => !/^model\[|^name$/.test(k) || Object.keys(diff).length < 4);
  const labels = runs.map((r, i) => {
    const parts = diffKeys.slice(0, 3).map(k => shortKey(k) + '=' + fmtValue(diff[k][i]));
    return parts.length ? parts.join(', ') : r.name + ' ' + r.id;
  });
  const keys = new Set();
  runs.forEach(r => r.history.forEach(e => Object.keys(e).forEach(k => keys.add(k))));
  const metrics = ['val_loss', 'train_loss', 'val_accuracy', 'train_accuracy', 'val_perplexity', 'lr'].filter(k => keys.has(k));
  const xs = [...new Set(runs.flatMap(r => r.history.map((e, i) => e.epoch != null ? e.epoch : i + 1)))].sort((a, b) => a - b);
  const charts = el('div', {class: 'grid', id: 'compare-charts'}, metrics.map(m => card(null, el('div', {class: 'chart', id: 'chart-' + m}))));
  const rowsMetric = [
    ['status', r => badge(r.status)], ['epochs', r => String(r.epochs)],
    ['best val', r => r.best_val == null ? '—' : fmtMetric(r.best_val) + ' ' + shortMetric(r.best_val_metric)],
    ['test', r => r.test == null ? '—' : fmtMetric(r.test) + ' ' + shortMetric(r.test_metric)], ['duration', r => fmtDuration(r.duration_s)],
  ];
  main.replaceChildren(el('h1', {}, 'Compare ' + runs.length + ' runs'), charts,
    card('What differs', el('div', {class: 'tablewrap'}, el('table', {id: 'compare-table'},
      el('thead', {}, el('tr', {}, el('th', {}, ''), runs.map((r, i) => el('th', {}, el('a', {href: runUrl(r.path)}, r.name + ' ' + r.id), el('br'),
        el('span', {class: 'muted'}, labels[i]))))),
      el('tbody', {}, Object.keys(diff).map(k => el('tr', {'data-key': k}, el('td', {}, k), diff[k].map(v => el('td', {}, fmtValue(v))))),
        rowsMetric.map(([k, f]) => el('tr', {}, el('td', {}, el('b', {}, k)), runs.map(r => el('td', {}, f(r))))))))));
  for (const m of metrics) {
    const series = runs.map((r, i) => {
      const byEpoch = new Map(r.history.map((e, j) => [e.epoch != null ? e.epoch : j + 1, e[m]]));
      return {label: labels[i], values: xs.map(x => byEpoch.has(x) && byEpoch.get(x) != null ? byEpoch.get(x) : null)};
    });
    lineChart(m, document.getElementById('chart-' + m), m, 'epoch', xs, series, {integerX: true});
  }
}

// ---- a sweep ----

async function pageSweep(main) {
  const path = param('p');
  const data = await getJson('/api/sweep?p=' + enc(path));
  const s = data.sweep || {}, lb = data.leaderboard || {trials: []};
  const trials = lb.trials || [];
  const dims = (s.space || []).map(d => d.key);
  trials.forEach(t => Object.keys(t.params || {}).forEach(k => { if (!dims.includes(k)) dims.push(k); }));
  const logScale = new Set((s.space || []).filter(d => d.log_scale).map(d => d.key));
  const trialPath = t => t.run_dir ? path + '/' + t.run_dir : null;
  const objective = lb.objective || s.objective || 'objective';
  const best = trials.find(t => t.rank === 1);
  function leaderboard() {
    const head = el('thead', {}, el('tr', {}, ['rank', 'trial', 'status', objective, 'best epoch', 'epochs', 'time'].map((h, i) => el('th', {class: i === 2 ? '' : 'num'}, h)),
      dims.map(d => el('th', {class: 'num'}, d))));
    const body = el('tbody', {}, trials.map(t => el('tr', {class: (t.status === 'pruned' ? 'pruned' : '') + (t.rank === 1 ? ' best' : ''), title: t.error || t.reason || ''},
      el('td', {class: 'num'}, t.rank),
      el('td', {class: 'num'}, trialPath(t) ? el('a', {href: runUrl(trialPath(t))}, String(t.trial).padStart(3, '0')) : t.trial),
      el('td', {}, badge(t.status)), el('td', {class: 'num'}, fmtMetric(t.objective)), el('td', {class: 'num'}, t.best_epoch),
      el('td', {class: 'num'}, t.epochs), el('td', {class: 'num'}, fmtDuration(t.seconds)),
      dims.map(d => el('td', {class: 'num'}, fmt((t.params || {})[d]))))));
    return el('table', {id: 'leaderboard'}, head, body);
  }
  const parts = [
    el('h1', {}, s.name || 'sweep', el('span', {class: 'id'}, s.sweep_id || '')),
    problemsBox(data.problems),
    card(null, el('div', {class: 'facts'}, [['strategy', s.strategy], ['sampler', s.sampler], ['pruner', s.pruner], ['trials', s.trials],
      ['objective', objective + (lb.mode || s.mode ? ' (' + (lb.mode || s.mode) + ')' : '')], ['epochs run', lb.total_epochs]]
      .map(([k, v]) => el('div', {}, el('b', {}, k), v == null ? '—' : String(v))))),
    card('Leaderboard', el('div', {class: 'tablewrap'}, leaderboard())),
    el('div', {class: 'grid', id: 'sweep-charts'}, dims.map((d, i) => card(null, el('div', {class: 'chart', id: 'chart-dim' + i})))),
  ];
  if (best) parts.push(card('Best configuration (trial ' + best.trial + ')',
    data.command ? el('p', {}, 'train it: ', el('code', {id: 'best-command'}, data.command)) : null,
    data.best_yaml ? el('pre', {class: 'light'}, data.best_yaml) : kvTable(best.params || {})));
  main.replaceChildren(...parts.filter(Boolean));
  dims.forEach((d, i) => {
    const pts = trials.filter(t => typeof (t.params || {})[d] === 'number' && t.objective != null).map(t => [t.params[d], t.objective, t.status === 'pruned']);
    const container = document.getElementById('chart-dim' + i);
    if (pts.length === 0) { container.replaceChildren(el('p', {class: 'muted'}, d + ': no numeric values to plot')); return; }
    pts.sort((a, b) => a[0] - b[0]);
    const x = pts.map(p => p[0]);
    lineChart('dim' + i, container, d + (logScale.has(d) ? ' (log scale)' : '') + ' against ' + objective, d, x, [
      {label: 'finished', values: pts.map(p => p[2] ? null : p[1]), color: COLORS[0]},
      {label: 'pruned', values: pts.map(p => p[2] ? p[1] : null), color: '#a855f7'},
    ], {points: true, xLog: logScale.has(d) && x.every(v => v > 0), yLabel: objective});
  });
}

// ---- start ----

document.addEventListener('DOMContentLoaded', () => {
  const main = document.getElementById('main');
  const pages = {index: pageIndex, run: pageRun, compare: pageCompare, sweep: pageSweep};
  const page = pages[document.body.dataset.page];
  page(main).catch(e => main.replaceChildren(el('div', {class: 'problems'}, String(e.message || e))));
});
