  // A part of the status page's one script (status.html includes it inside its closure, in order): the sources and GPU tables, rendering and polling.
  // ---- sources and GPUs --------------------------------------------------------------------------------------------
  function renderSources(snap) {
    const rows = arr(snap.sources).filter(obj).map((src) => {
      const errors = obj(src.errors) || {};
      const counts = Object.entries(errors).filter(([, n]) => num(n) !== null && n > 0);
      const up = src.up === true ? h('span', { class: 'pill up' }, 'up') : src.up === false ? h('span', { class: 'pill down' }, 'down') : DASH;
      return h('tr', { 'data-source': txt(src.source) },
        h('td', null, h('b', null, txt(src.source)), h('div', { class: 'note', 'data-backend': '' }, txt(src.backend))),
        h('td', { class: 'url' }, txt(src.url)),
        h('td', null, up),
        h('td', { class: 'err', title: str(src.lastErrorAt) ? 'at ' + src.lastErrorAt : null },
          str(src.lastError) ? [txt(src.lastError), h('div', { class: 'note' }, clock(src.lastErrorAt))] : h('span', { class: 'muted' }, 'none')),
        h('td', { class: 'num' }, num(src.consecutiveFailures) === null ? DASH : String(src.consecutiveFailures)),
        h('td', null, counts.length ? counts.map(([k, n]) => h('span', { class: 'pill warn', style: 'margin-right:4px' }, k + ' ' + n)) : h('span', { class: 'muted' }, 'none')));
    });
    fill('sources-body', rows.length
      ? h('table', { id: 'sources-table' },
        h('thead', null, h('tr', null, h('th', null, 'source'), h('th', null, 'URL'), h('th', null, 'state'),
          h('th', null, 'last error'), h('th', { class: 'num', title: 'consecutive failures' }, 'fails'), h('th', null, 'errors'))),
        h('tbody', null, rows))
      : h('div', { class: 'empty' }, 'no sources reported'));
  }

  function renderGpus(snap) {
    const rows = arr(snap.gpus).filter(obj).map((g) => {
      const pw = num(g.powerWatts), lim = num(g.powerLimitWatts);
      const reasons = arr(g.throttleReasons).map(str).filter(Boolean);
      const meter = (r) => num(r) === null ? null : h('span', { class: 'meter', 'aria-hidden': 'true' },
        h('span', { style: 'width:' + Math.round(Math.max(0, Math.min(1, r)) * 100) + '%' }));
      return h('tr', { 'data-gpu': txt(g.index) },
        h('td', { class: 'num' }, txt(g.index)),
        h('td', { class: 'name' }, txt(g.name)),
        h('td', { class: 'num' }, pw === null ? DASH : fixed(pw, 0) + (lim !== null ? ' / ' + fixed(lim, 0) : '') + ' W', lim ? meter(pw / lim) : null),
        h('td', { class: 'num' }, pct(g.graphicsActiveRatio, 0), meter(g.graphicsActiveRatio)),
        h('td', { class: 'num' }, pct(g.dramActiveRatio, 0), meter(g.dramActiveRatio)),
        h('td', { class: 'num' }, pct(g.tensorActiveRatio, 0), meter(g.tensorActiveRatio)),
        h('td', null, !Array.isArray(g.throttleReasons) ? DASH
          : reasons.length ? reasons.map((r) => h('span', { class: 'pill down', style: 'margin-right:4px' }, r)) : h('span', { class: 'pill up' }, 'none')));
    });
    fill('gpus-body', rows.length
      ? h('table', { id: 'gpus-table' },
        h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'name'), h('th', { class: 'num' }, 'power'),
          h('th', { class: 'num' }, 'graphics'), h('th', { class: 'num' }, 'DRAM'), h('th', { class: 'num' }, 'tensor'), h('th', null, 'throttle'))),
        h('tbody', null, rows))
      : h('div', { class: 'empty' }, 'no GPU readings'));
  }

  // ---- render and poll ------------------------------------------------------------------------------------------
  // Each section renders on its own, so one malformed part of a snapshot cannot blank the whole page.
  const SECTIONS = [
    [renderHeader, null], [renderEfficiency, 'eff-body'], [renderStats, 'stats-body'], [renderDonut, 'donut-body'],
    [renderCauses, 'causes-body'], [renderPareto, 'pareto-body'], [renderSources, 'sources-body'], [renderGpus, 'gpus-body'],
  ];
  function render() {
    const snap = obj(state.snap);
    renderBanners(snap);
    renderFreshness();
    if (!snap) return;
    for (const [fn, target] of SECTIONS) {
      try { fn(snap); } catch (e) {
        if (target) byId(target).replaceChildren(h('div', { class: 'empty' }, 'cannot show this part of the snapshot: ' + (e && e.message ? e.message : String(e))));
      }
    }
  }

  async function poll() {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      const res = await fetch('api/v1/snapshot', { cache: 'no-store', signal: ctl.signal, headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const snap = await res.json();
      const serverNow = Date.parse(res.headers.get('Date') || '');
      state.skewMs = Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
      state.snap = snap;
      state.error = null;
    } catch (e) {
      state.error = e && e.name === 'AbortError' ? 'timed out' : (e && e.message ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
    render();
    setTimeout(poll, POLL_MS);
  }

  setInterval(renderFreshness, 1000);
  // The agent puts the snapshot current at page load into the page (and renders the headline itself, for a text
  // browser or a screenshot): draw it at once, then poll as usual.
  const initial = document.getElementById('initial-snapshot');
  if (initial) {
    try { state.snap = JSON.parse(initial.textContent); render(); } catch (e) { /* the first poll brings one */ }
  }
  poll();
