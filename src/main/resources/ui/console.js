// ringstore web console: polls this node's JSON endpoints and draws them. Plain JavaScript, no build
// step; charts with uPlot (served by the node from its webjar).
(function () {
  'use strict';

  const REFRESH_MS = 2000;
  const HISTORY = 150; // points kept per chart (5 minutes at one refresh every 2 s)
  const COLOURS = ['#1f5fbf', '#c2410c', '#1e7b3a', '#7b2fa3', '#b3134f', '#4d6b00', '#0b6f80',
    '#8a5300', '#374151', '#9d174d'];
  const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [1, 4], [14, 4], [5, 3, 1, 3], [3, 6]];

  const state = {
    letters: new Map(), // node -> letter, stable for the page's life
    self: null,
    ring: null,
    stats: new Map(), // node -> the node's latest /admin/stats entry
    previous: new Map(), // node -> {at, total, buckets, uptime}
    live: new Map(), // node -> {rate, p50, p99} of the last interval
    history: {t: [], rate: new Map(), p50: new Map(), p99: new Map()},
    charts: {rate: null, latency: null, nodes: ''},
    leaving: false,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) {
        continue;
      }
      if (k === 'class') {
        e.className = v;
      } else if (k === 'text') {
        e.textContent = v;
      } else if (k.startsWith('data-')) {
        e.setAttribute(k, String(v));
      } else {
        e.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
      }
    }
    return e;
  }

  function letterOf(node) {
    if (!state.letters.has(node)) {
      const i = state.letters.size;
      state.letters.set(node, i < 26 ? String.fromCharCode(65 + i) : 'N' + i);
    }
    return state.letters.get(node);
  }

  function indexOf(node) {
    letterOf(node);
    return Array.from(state.letters.keys()).indexOf(node);
  }

  function colourOf(node) {
    return COLOURS[indexOf(node) % COLOURS.length];
  }

  function badge(node) {
    return el('span', {class: 'badge', style: 'background:' + colourOf(node), title: node},
        letterOf(node));
  }

  function nodeCell(node) {
    return el('td', {class: 'mono'}, badge(node), node);
  }

  function bytes(n) {
    if (n === null || n === undefined) {
      return '–';
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return (u === 0 ? v : v.toFixed(1)) + ' ' + units[u];
  }

  function ms(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    const m = seconds * 1000;
    return (m < 10 ? m.toFixed(2) : m < 100 ? m.toFixed(1) : m.toFixed(0)) + ' ms';
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    const s = Math.round(seconds);
    if (s < 60) {
      return s + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    }
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function ago(isoTime) {
    if (!isoTime) {
      return '–';
    }
    return duration(Math.max(0, (Date.now() - Date.parse(isoTime)) / 1000)) + ' ago';
  }

  async function fetchJson(path) {
    const response = await fetch(path, {cache: 'no-store', headers: {Accept: 'application/json'}});
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const why = body && body.message ? body.message : response.statusText;
      throw new Error(path + ': ' + response.status + ' ' + why);
    }
    return body;
  }

  function replaceRows(table, rows) {
    const tbody = table.tBodies[0];
    tbody.replaceChildren(...rows);
  }

  // Interval quantile of merged cumulative histograms, interpolated as Prometheus does.
  function quantile(q, bounds, cumulative) {
    const total = cumulative[cumulative.length - 1];
    if (!(total > 0)) {
      return null;
    }
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= rank && cumulative[i] > 0) {
        const below = i === 0 ? 0 : cumulative[i - 1];
        const lower = i === 0 ? 0 : bounds[i - 1];
        const inBucket = cumulative[i] - below;
        return inBucket <= 0 ? bounds[i] : lower + (bounds[i] - lower) * ((rank - below) / inBucket);
      }
    }
    return bounds[bounds.length - 1];
  }

  function mergedBuckets(latency) {
    const lists = Object.values(latency.buckets);
    const merged = new Array(latency.boundsSeconds.length + 1).fill(0);
    for (const list of lists) {
      list.forEach((v, i) => {
        merged[i] += v;
      });
    }
    return merged;
  }

  function updateLive(stats, now) {
    for (const s of stats.nodes) {
      state.stats.set(s.node, s);
      if (s.error) {
        state.live.set(s.node, {rate: null, p50: null, p99: null});
        continue;
      }
      const buckets = mergedBuckets(s.latency);
      const prev = state.previous.get(s.node);
      state.previous.set(s.node, {at: now, total: s.requestsTotal, buckets, uptime: s.uptimeSeconds});
      if (!prev || s.uptimeSeconds < prev.uptime || s.requestsTotal < prev.total) {
        continue; // the first sample of a node, or it restarted
      }
      const seconds = (now - prev.at) / 1000;
      const delta = buckets.map((v, i) => v - prev.buckets[i]);
      state.live.set(s.node, {
        rate: seconds > 0 ? (s.requestsTotal - prev.total) / seconds : null,
        p50: quantile(0.5, s.latency.boundsSeconds, delta),
        p99: quantile(0.99, s.latency.boundsSeconds, delta),
      });
    }
    for (const node of Array.from(state.live.keys())) {
      if (!stats.nodes.some((s) => s.node === node)) {
        state.live.delete(node);
      }
    }
  }

  function recordHistory(now) {
    const h = state.history;
    h.t.push(now / 1000);
    const nodes = Array.from(state.letters.keys());
    for (const node of nodes) {
      for (const key of ['rate', 'p50', 'p99']) {
        if (!h[key].has(node)) {
          h[key].set(node, new Array(h.t.length - 1).fill(null));
        }
        const live = state.live.get(node);
        const v = live ? live[key] : null;
        h[key].get(node).push(v === null || v === undefined ? null
            : key === 'rate' ? Math.round(v * 10) / 10 : v * 1000);
      }
    }
    if (h.t.length > HISTORY) {
      h.t.shift();
      for (const key of ['rate', 'p50', 'p99']) {
        for (const list of h[key].values()) {
          list.shift();
        }
      }
    }
  }

  function chartWidth(id) {
    return Math.max(320, $(id).clientWidth - 4);
  }

  // the time axis spans at least a minute (a page that just opened has a point or two)
  function timeRange(u, min, max) {
    if (min === null || max === null) {
      const now = Date.now() / 1000;
      return [now - 60, now];
    }
    return [Math.min(min, max - 60), max];
  }

  function buildCharts(nodes) {
    for (const c of [state.charts.rate, state.charts.latency]) {
      if (c) {
        c.destroy();
      }
    }
    $('rate-chart').replaceChildren();
    $('latency-chart').replaceChildren();
    const rateSeries = [{}].concat(nodes.map((n) => ({
      label: letterOf(n) + ' ' + n,
      stroke: colourOf(n),
      width: 2,
      dash: DASHES[indexOf(n) % DASHES.length],
      points: {show: false},
      value: (u, v) => (v === null || v === undefined ? '–' : v.toFixed(1) + '/s'),
    })));
    state.charts.rate = new uPlot({
      title: 'Requests per second, by node',
      width: chartWidth('rate-chart'),
      height: 200,
      series: rateSeries,
      axes: [{}, {label: 'requests/s', size: 60}],
      scales: {x: {time: true, range: timeRange}, y: {range: (u, min, max) => [0, Math.max(1, max)]}},
    }, rateData(nodes), $('rate-chart'));
    const latencySeries = [{}];
    for (const n of nodes) {
      for (const q of ['p50', 'p99']) {
        latencySeries.push({
          label: letterOf(n) + ' ' + q,
          stroke: colourOf(n),
          width: q === 'p99' ? 3 : 1.5,
          dash: q === 'p99' ? [] : [6, 4],
          points: {show: false},
          value: (u, v) => (v === null || v === undefined ? '–' : v.toFixed(2) + ' ms'),
        });
      }
    }
    state.charts.latency = new uPlot({
      title: 'Latency, p50 (thin, dashed) and p99 (thick), by node',
      width: chartWidth('latency-chart'),
      height: 200,
      series: latencySeries,
      axes: [{}, {label: 'ms', size: 60}],
      scales: {x: {time: true, range: timeRange}, y: {range: (u, min, max) => [0, Math.max(1, max)]}},
    }, latencyData(nodes), $('latency-chart'));
    state.charts.nodes = nodes.join(' ');
  }

  function rateData(nodes) {
    const h = state.history;
    return [h.t.slice()].concat(nodes.map((n) => (h.rate.get(n) || []).slice()));
  }

  function latencyData(nodes) {
    const h = state.history;
    const data = [h.t.slice()];
    for (const n of nodes) {
      data.push((h.p50.get(n) || []).slice());
      data.push((h.p99.get(n) || []).slice());
    }
    return data;
  }

  function renderCharts() {
    if (typeof uPlot === 'undefined') {
      $('rate-chart').textContent = 'the chart library did not load';
      return;
    }
    const nodes = Array.from(state.letters.keys()).filter((n) => state.history.rate.has(n));
    if (state.charts.nodes !== nodes.join(' ') || !state.charts.rate) {
      buildCharts(nodes);
    } else {
      state.charts.rate.setData(rateData(nodes));
      state.charts.latency.setData(latencyData(nodes));
    }
    let max = 0;
    for (const list of state.history.rate.values()) {
      for (const v of list) {
        if (v !== null && v > max) {
          max = v;
        }
      }
    }
    $('rate-chart').dataset.maxRate = String(max);
    $('rate-chart').dataset.points = String(state.history.t.length);
  }

  function renderCluster(cluster) {
    state.self = cluster.self;
    $('cluster-id').textContent = cluster.clusterId || '(none yet)';
    $('self-node').replaceChildren(badge(cluster.self), cluster.self);
    $('leader').textContent = cluster.leader || '–';
    const members = cluster.members.slice().sort((a, b) => a.node.localeCompare(b.node));
    members.forEach((m) => letterOf(m.node));
    $('member-count').textContent = '(' + members.length + ')';
    const counts = ownershipCounts();
    const rows = members.map((m) => {
      const stats = state.stats.get(m.node);
      const live = state.live.get(m.node);
      const held = counts.get(m.node) || {first: 0, all: 0};
      const reach = m.reachable
        ? el('td', {class: 'ok'}, '✔ reachable')
        : el('td', {class: 'bad'}, '✖ UNREACHABLE');
      const storage = stats && !stats.error ? bytes(stats.storageBytes)
        : stats && stats.error ? 'no answer' : '–';
      return el('tr', {'data-node': m.node, 'data-status': m.status, 'data-reachable': m.reachable},
          nodeCell(m.node),
          el('td', {}, m.status),
          reach,
          el('td', {}, (m.roles || []).filter((r) => !r.startsWith('dc-')).join(', ') || '–'),
          el('td', {class: 'num'}, held.first + ' / ' + held.all),
          el('td', {class: 'num'}, storage),
          el('td', {class: 'num'}, live && live.rate !== null ? live.rate.toFixed(1) : '–'),
          el('td', {class: 'num'}, ms(live ? live.p50 : null)),
          el('td', {class: 'num'}, ms(live ? live.p99 : null)),
          el('td', {}, leaveControl(m, stats)));
    });
    replaceRows($('members'), rows);
  }

  function leaveControl(member, stats) {
    if (member.node === state.self) {
      const button = el('button', {class: 'leave', id: 'leave-button', type: 'button'},
          state.leaving ? 'leaving…' : 'Leave cluster…');
      button.disabled = state.leaving || member.status !== 'Up';
      button.addEventListener('click', leave);
      return button;
    }
    if (stats && stats.console) {
      return el('a', {href: stats.console, title: 'open this node\'s console to make it leave'},
          'its console ↗');
    }
    return '–';
  }

  async function leave() {
    const self = state.self;
    if (!window.confirm('Make ' + self + ' leave the cluster?\n\nIt hands its replicas over to the '
        + 'other nodes, then leaves and exits. This cannot be undone from here.')) {
      return;
    }
    const out = $('leave-result');
    out.className = 'note';
    out.textContent = 'asking ' + self + ' to leave…';
    try {
      const response = await fetch('/admin/leave', {method: 'POST', cache: 'no-store'});
      let body = null;
      try {
        body = await response.json();
      } catch (e) {
        body = null;
      }
      if (response.status === 202) {
        state.leaving = true;
        out.className = 'warn';
        out.dataset.state = 'leaving';
        out.textContent = 'leaving: ' + (body && body.message ? body.message : self + ' is leaving');
      } else {
        out.className = 'bad';
        out.dataset.state = 'refused';
        out.textContent = 'leave refused (' + response.status + '): '
            + (body && body.message ? body.message : response.statusText);
      }
    } catch (e) {
      out.className = 'bad';
      out.dataset.state = 'failed';
      out.textContent = 'leave request failed: ' + e.message;
    }
  }

  function ownershipCounts() {
    const counts = new Map();
    if (!state.ring) {
      return counts;
    }
    for (const p of state.ring.partitions) {
      p.replicas.forEach((node, i) => {
        const c = counts.get(node) || {first: 0, all: 0};
        c.all++;
        if (i === 0) {
          c.first++;
        }
        counts.set(node, c);
      });
    }
    return counts;
  }

  function renderRing(ring) {
    state.ring = ring;
    ring.members.forEach((m) => letterOf(m));
    $('ring-partitions').textContent = String(ring.partitionCount);
    $('ring-n').textContent = String(ring.replicationFactor);
    const svg = $('ring');
    const ns = 'http://www.w3.org/2000/svg';
    const title = $('ring-title');
    svg.replaceChildren(title);
    const q = ring.partitions.length;
    const cx = 150;
    const cy = 150;
    const outer = 145;
    const inner = 100;
    const point = (r, a) => (cx + r * Math.cos(a)).toFixed(2) + ' ' + (cy + r * Math.sin(a)).toFixed(2);
    ring.partitions.forEach((p, i) => {
      const a0 = (i / q) * 2 * Math.PI - Math.PI / 2;
      const a1 = ((i + 1) / q) * 2 * Math.PI - Math.PI / 2;
      const large = a1 - a0 > Math.PI ? 1 : 0;
      const owner = p.replicas.length > 0 ? p.replicas[0] : null;
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', 'M ' + point(outer, a0) + ' A ' + outer + ' ' + outer + ' 0 ' + large
          + ' 1 ' + point(outer, a1) + ' L ' + point(inner, a1) + ' A ' + inner + ' ' + inner
          + ' 0 ' + large + ' 0 ' + point(inner, a0) + ' Z');
      path.setAttribute('class', 'partition');
      path.setAttribute('data-partition', String(p.partition));
      path.setAttribute('data-owner', owner || '');
      path.setAttribute('fill', owner ? colourOf(owner) : '#999');
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = 'partition ' + p.partition + ': replicas '
          + p.replicas.map((n) => letterOf(n) + ' ' + n).join(', ');
      path.append(tip);
      svg.append(path);
      if (owner && q <= 128) {
        const mid = (a0 + a1) / 2;
        const r = (outer + inner) / 2;
        const text = document.createElementNS(ns, 'text');
        text.setAttribute('x', (cx + r * Math.cos(mid)).toFixed(2));
        text.setAttribute('y', (cy + r * Math.sin(mid)).toFixed(2));
        text.setAttribute('text-anchor', 'middle');
        text.setAttribute('dominant-baseline', 'central');
        text.setAttribute('font-size', q <= 64 ? '10' : '7');
        text.setAttribute('fill', '#fff');
        text.textContent = letterOf(owner);
        svg.append(text);
      }
    });
    const centre = document.createElementNS(ns, 'text');
    centre.setAttribute('x', String(cx));
    centre.setAttribute('y', String(cy));
    centre.setAttribute('text-anchor', 'middle');
    centre.setAttribute('dominant-baseline', 'central');
    centre.setAttribute('font-size', '14');
    centre.textContent = q + ' partitions';
    svg.append(centre);
    const counts = ownershipCounts();
    replaceRows($('ownership'), ring.members.slice().sort().map((n) => {
      const c = counts.get(n) || {first: 0, all: 0};
      return el('tr', {'data-node': n}, nodeCell(n), el('td', {class: 'num'}, c.first),
          el('td', {class: 'num'}, c.all));
    }));
  }

  function progressOf(t) {
    if (t.state === 'done') {
      return 100;
    }
    if (t.etaSeconds === null || t.etaSeconds === undefined || !(t.keysPerSecond > 0)) {
      return null;
    }
    const remaining = t.etaSeconds * t.keysPerSecond;
    return Math.min(99, Math.round((100 * t.keys) / Math.max(1, t.keys + remaining)));
  }

  function renderTransfers(transfers) {
    const s = transfers.summary || {};
    $('transfers-summary').textContent = Object.entries(s).map(([k, v]) => k + ' ' + v).join(' · ');
    const leaving = transfers.leaving || [];
    const unreachable = transfers.unreachable || [];
    const notes = [];
    if (leaving.length > 0) {
      notes.push('leaving: ' + leaving.map((n) => letterOf(n) + ' ' + n).join(', '));
    }
    if (unreachable.length > 0) {
      notes.push('no answer from: ' + unreachable.join(', '));
    }
    $('transfers-leaving').textContent = notes.join(' — ');
    $('transfers-leaving').className = notes.length > 0 ? 'warn' : '';
    $('transfers-leaving').dataset.leaving = leaving.join(' ');
    const active = transfers.transfers.filter((t) => t.state !== 'done' && t.state !== 'failed');
    const finished = transfers.transfers.filter((t) => t.state === 'done' || t.state === 'failed')
        .sort((a, b) => (b.finishedAt || '').localeCompare(a.finishedAt || ''));
    const attrs = (t) => ({'data-replica': t.replica, 'data-node': t.node, 'data-source': t.source || '',
      'data-state': t.state});
    replaceRows($('transfers'), active.length === 0
      ? [el('tr', {}, el('td', {colspan: '9', class: 'note'}, 'no transfer in progress'))]
      : active.map((t) => {
        const pct = progressOf(t);
        const bar = el('progress', {max: '100'});
        if (pct !== null) {
          bar.value = pct;
        }
        return el('tr', attrs(t), el('td', {class: 'mono'}, t.replica), nodeCell(t.node),
            t.source ? nodeCell(t.source) : el('td', {}, '–'),
            el('td', {}, t.state + (t.error ? ' (' + t.error + ')' : '')),
            el('td', {}, bar, ' ', pct === null ? '…' : pct + ' %'),
            el('td', {class: 'num'}, t.keys), el('td', {class: 'num'}, bytes(t.bytes)),
            el('td', {class: 'num'}, t.keysPerSecond), el('td', {class: 'num'}, duration(t.etaSeconds)));
      }));
    $('finished-count').textContent = String(finished.length);
    replaceRows($('finished'), finished.slice(0, 500).map((t) => el('tr', attrs(t),
        el('td', {class: 'mono'}, t.replica), nodeCell(t.node),
        t.source ? nodeCell(t.source) : el('td', {}, '–'),
        el('td', {class: t.state === 'failed' ? 'bad' : ''}, t.state + (t.error ? ' (' + t.error + ')' : '')),
        el('td', {class: 'num'}, t.keys), el('td', {class: 'num'}, bytes(t.bytes)),
        el('td', {}, ago(t.finishedAt)))));
  }

  function renderHints(hints) {
    $('hints-total').textContent = '(' + hints.queued + ' queued)';
    replaceRows($('hints'), hints.targets.length === 0
      ? [el('tr', {}, el('td', {colspan: '7', class: 'note'}, 'no hints'))]
      : hints.targets.map((t) => el('tr', {'data-target': t.target},
          el('td', {class: 'mono'}, t.target), el('td', {class: t.queued > 0 ? 'num warn' : 'num'}, t.queued),
          el('td', {class: 'num'}, duration(t.oldestAgeSeconds)), el('td', {class: 'num'}, t.delivered),
          el('td', {class: 'num'}, t.dropped), el('td', {class: 'num'}, t.expired),
          el('td', {class: 'num'}, t.lost))));
    $('hints-note').textContent = hints.targetsNotAnswering > 0
      ? hints.targetsNotAnswering + ' hint store(s) did not answer in time' : '';
  }

  function renderAntiEntropy(ae) {
    $('ae-summary').textContent = ae.exchanges + ' exchanges, ' + ae.keysRepaired
        + ' keys repaired since this node started';
    replaceRows($('anti-entropy'), ae.partitions.length === 0
      ? [el('tr', {}, el('td', {colspan: '6', class: 'note'}, 'no exchange yet'))]
      : ae.partitions.map((p) => el('tr', {'data-partition': p.partition},
          el('td', {class: 'num'}, p.partition), el('td', {}, ago(p.lastExchange)),
          // a peer that never answered is named by its replica id (partition:replica), not a node
          !p.lastPeer ? el('td', {}, '–') : /^\d+:\d+$/.test(p.lastPeer)
            ? el('td', {class: 'mono'}, 'replica ' + p.lastPeer) : nodeCell(p.lastPeer),
          p.lastError ? el('td', {class: 'bad'}, '✖ ' + p.lastError)
            : p.treesEqual ? el('td', {class: 'ok'}, '= equal') : el('td', {class: 'warn'}, '≠ repaired'),
          el('td', {class: 'num'}, p.keysRepaired), el('td', {class: 'num'}, p.exchanges))));
  }

  async function refresh() {
    const now = Date.now();
    const names = ['cluster', 'ring', 'stats', 'transfers', 'hints', 'anti-entropy'];
    const results = await Promise.allSettled(names.map((n) => fetchJson('/admin/' + n)));
    const got = {};
    const failures = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') {
        got[names[i]] = r.value;
      } else {
        failures.push(r.reason && r.reason.message ? r.reason.message : names[i] + ' failed');
      }
    });
    try {
      if (got.ring) {
        renderRing(got.ring);
      }
      if (got.stats) {
        updateLive(got.stats, now);
      }
      if (got.cluster) {
        renderCluster(got.cluster);
      }
      if (got.stats) {
        recordHistory(now);
        renderCharts();
      }
      if (got.transfers) {
        renderTransfers(got.transfers);
      }
      if (got.hints) {
        renderHints(got.hints);
      }
      if (got['anti-entropy']) {
        renderAntiEntropy(got['anti-entropy']);
      }
    } catch (e) {
      failures.push('drawing failed: ' + e.message);
    }
    const banner = $('banner');
    if (failures.length === names.length) {
      banner.textContent = 'this node does not answer (' + failures[0] + '); retrying';
      banner.hidden = false;
    } else if (failures.length > 0) {
      banner.textContent = failures.join('; ');
      banner.hidden = false;
    } else {
      banner.hidden = true;
      $('updated').textContent = new Date(now).toLocaleTimeString();
      document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
    }
    window.setTimeout(refresh, REFRESH_MS);
  }

  window.addEventListener('resize', () => {
    if (state.charts.rate) {
      state.charts.rate.setSize({width: chartWidth('rate-chart'), height: 200});
      state.charts.latency.setSize({width: chartWidth('latency-chart'), height: 200});
    }
  });

  refresh();
})();
