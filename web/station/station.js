// The station page: one fetch of the snapshot and the last hour, then server-sent events on every
// change. Plain DOM, no build step; uPlot draws the plots. Every value is set with textContent.
(() => {
  const HOUR_S = 3600;
  const COLOURS = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
    '#393b79',
    '#637939',
    '#8c6d31',
    '#843c39',
    '#7b4173',
    '#3182bd',
  ];
  const byId = (id) => document.getElementById(id);
  const history = { times: [], soc: {}, power: {} };
  const plots = { soc: null, power: null, slots: [] };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  const fixed = (value, places, unit) =>
    value === null || value === undefined ? '—' : `${value.toFixed(places)}${unit}`;
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');

  function pill(id, text, level) {
    const node = byId(id);
    node.textContent = text;
    node.className = `pill ${level}`;
  }

  function renderSlot(slot) {
    const empty = slot.battery_id === null;
    const safety = slot.safety;
    const classes = ['slot'];
    if (empty) classes.push('empty');
    if (safety) classes.push(safety.state);
    if (slot.stale) classes.push('stale');
    const soc = slot.soc_percent ?? 0;
    const bar = el(
      'div',
      { class: soc < 80 ? 'bar low' : 'bar' },
      el('div', { style: `width:${Math.max(0, Math.min(100, soc))}%` }),
    );
    const facts = el(
      'dl',
      {},
      el('dt', {}, 'SOC'),
      el('dd', { 'data-field': 'soc' }, fixed(slot.soc_percent, 1, ' %')),
      el('dt', {}, 'energy'),
      el('dd', { 'data-field': 'kwh' }, fixed(slot.kwh, 2, ' kWh')),
      el('dt', {}, 'temperature'),
      el('dd', { 'data-field': 'temperature' }, fixed(slot.temperature_c, 1, ' °C')),
      el('dt', {}, 'mode'),
      el('dd', { 'data-field': 'mode' }, slot.mode ?? '—'),
      el('dt', {}, 'setpoint'),
      el('dd', { 'data-field': 'setpoint' }, fixed(slot.setpoint_kw, 2, ' kW')),
      el('dt', {}, 'charging'),
      el('dd', { 'data-field': 'charging' }, fixed(slot.charging_kw, 2, ' kW')),
      el('dt', {}, 'driver'),
      el(
        'dd',
        { 'data-field': 'driver' },
        slot.stale ? `${slot.driver_state}, no answer` : slot.driver_state,
      ),
    );
    let safetyLine = null;
    if (safety) {
      const latch = safety.latched ? 'LATCHED ' : '';
      const reasons = safety.reasons.length ? ` — ${safety.reasons.join(', ')}` : '';
      safetyLine = el(
        'div',
        { class: `safety ${safety.state}`, 'data-field': 'safety' },
        `${latch}${safety.state}${reasons}`,
      );
    }
    return el(
      'div',
      { class: classes.join(' '), 'data-testid': 'slot', 'data-slot': slot.slot },
      el(
        'div',
        { class: 'head' },
        el('span', {}, slot.slot),
        el('span', { class: 'battery', 'data-field': 'battery' }, slot.battery_id ?? 'empty'),
      ),
      bar,
      facts,
      safetyLine,
    );
  }

  function renderTable(id, rows, cells) {
    const body = byId(id);
    body.replaceChildren(
      ...rows.map((row) =>
        el('tr', {}, ...cells(row).map(([text, cls]) => el('td', cls ? { class: cls } : {}, text))),
      ),
    );
    if (rows.length === 0) body.replaceChildren(el('tr', {}, el('td', { colspan: '5' }, 'none yet')));
  }

  function renderSections(sections) {
    const cards = Object.entries(sections).map(([name, section]) =>
      el(
        'div',
        { class: 'card', 'data-section': name },
        el('h2', {}, section.title),
        el(
          'dl',
          {},
          ...Object.entries(section.facts).flatMap(([k, v]) => [
            el('dt', {}, k),
            el('dd', {}, v === null ? '—' : String(v)),
          ]),
        ),
      ),
    );
    byId('sections').replaceChildren(...cards);
  }

  function render(status) {
    byId('site-id').textContent = status.site_id;
    const at = byId('sampled-at');
    at.textContent = time(status.sampled_at);
    at.setAttribute('datetime', status.sampled_at);
    pill(
      'broker',
      status.broker.connected ? 'broker connected' : 'broker down',
      status.broker.connected ? 'ok' : 'bad',
    );
    pill('database', status.database.up ? 'database up' : 'database down', status.database.up ? 'ok' : 'bad');
    const depth = status.outbox_depth;
    pill(
      'outbox',
      depth === null ? 'outbox ?' : `outbox ${depth}`,
      depth === null ? 'warn' : depth > 100 ? 'warn' : 'ok',
    );
    pill('charging', `charging ${status.charging_kw.toFixed(2)} kW`, '');
    byId('slots').replaceChildren(...status.slots.map(renderSlot));
    byId('drivers').replaceChildren(
      ...Object.entries(status.drivers).map(([id, state]) =>
        el(
          'li',
          { class: `pill ${state === 'CONNECTED' ? 'ok' : state === 'FAULTED' ? 'bad' : 'warn'}` },
          `${id} ${state}`,
        ),
      ),
    );
    renderTable('swaps', status.last_swaps, (s) => [
      [time(s.at)],
      [s.plan_id ?? '—'],
      [s.returned ?? '—'],
      [s.issued ?? '—'],
      [fixed(s.kwh, 1, ''), 'num'],
    ]);
    renderTable('payments', status.last_payments, (p) => [
      [time(p.at)],
      [p.plan_id],
      [`${p.amount} ${p.currency}`, 'num'],
      [p.payment_type ?? '—'],
      [p.status],
    ]);
    renderSections(status.sections);
  }

  function plotData(kind) {
    return [history.times, ...plots.slots.map((slot) => history[kind][slot] ?? [])];
  }

  function makePlot(kind, target) {
    if (typeof uPlot === 'undefined') return null;
    const series = [
      {},
      ...plots.slots.map((slot, i) => ({
        label: slot,
        stroke: COLOURS[i % COLOURS.length],
        width: 1.5,
        spanGaps: false,
      })),
    ];
    const width = Math.max(300, target.clientWidth - 10);
    // SOC on a fixed 0-100 scale; power symmetric around 0 with at least ±1 kW so idle slots sit mid-plot.
    const y =
      kind === 'soc'
        ? { range: [0, 100] }
        : { range: (_u, min, max) => [Math.min(min ?? 0, -1), Math.max(max ?? 0, 1)] };
    return new uPlot(
      { width, height: 220, series, legend: { show: false }, scales: { x: { time: true }, y } },
      plotData(kind),
      target,
    );
  }

  function record(status) {
    const t = Date.parse(status.sampled_at) / 1000;
    const last = history.times[history.times.length - 1];
    if (last !== undefined && t <= last) return;
    history.times.push(t);
    for (const slot of plots.slots) {
      const s = status.slots.find((x) => x.slot === slot);
      if (!history.soc[slot]) history.soc[slot] = [];
      if (!history.power[slot]) history.power[slot] = [];
      history.soc[slot].push(s ? s.soc_percent : null);
      history.power[slot].push(s ? s.power_kw : null);
    }
    let drop = 0;
    while (drop < history.times.length && history.times[drop] < t - HOUR_S) drop += 1;
    if (drop > 0) {
      history.times.splice(0, drop);
      for (const series of [...Object.values(history.soc), ...Object.values(history.power)])
        series.splice(0, drop);
    }
    plots.soc?.setData(plotData('soc'));
    plots.power?.setData(plotData('power'));
  }

  function update(status) {
    render(status);
    record(status);
    document.body.dataset.sampledAt = status.sampled_at;
  }

  function listen() {
    const source = new EventSource('/api/v1/station/events');
    source.addEventListener('open', () => pill('live', 'live', 'ok'));
    source.addEventListener('error', () => pill('live', 'reconnecting', 'warn'));
    source.addEventListener('status', (e) => update(JSON.parse(e.data)));
  }

  async function start() {
    const res = await fetch('/api/v1/station/status', { cache: 'no-store' });
    if (!res.ok) {
      pill('live', `error ${res.status}`, 'bad');
      return;
    }
    const { status, history: past } = await res.json();
    plots.slots = status.slots.map((s) => s.slot);
    history.times = past.times.slice();
    for (const slot of plots.slots) {
      history.soc[slot] = (past.soc[slot] ?? []).slice();
      history.power[slot] = (past.power[slot] ?? []).slice();
    }
    // Slots first: the plots can follow a moment later.
    render(status);
    listen();
    plots.soc = makePlot('soc', byId('soc-plot'));
    plots.power = makePlot('power', byId('power-plot'));
    record(status);
    document.body.dataset.sampledAt = status.sampled_at;
  }

  start().catch((err) => pill('live', `error: ${err.message}`, 'bad'));
})();
