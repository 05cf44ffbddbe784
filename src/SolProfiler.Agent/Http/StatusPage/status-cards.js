  // A part of the status page's one script (status.html includes it inside its closure, in order): the state, the header, the banners, the efficiency card and the measured-vs-SOL table.
  // ---- state ------------------------------------------------------------------------------------------------------
  const state = { snap: null, error: null, skewMs: 0 };

  function windowSeconds(snap) { const w = num(snap && snap.windowSeconds); return w !== null && w > 0 ? w : 30; }
  // Until the window has filled, the measurement spans less of it: "4 of 30 s window".
  function spanText(snap) {
    const span = num(snap && snap.spanSeconds), w = windowSeconds(snap);
    return span !== null && span < w - 0.5 ? compact(Math.round(span)) + ' of ' + compact(w) + ' s window' : compact(w) + ' s window';
  }
  // The snapshot's age against the agent's clock (its Date header), so a skewed browser clock cannot fake staleness.
  function ageSeconds(snap) {
    const t = snap && typeof snap.timestamp === 'string' ? Date.parse(snap.timestamp) : NaN;
    return Number.isFinite(t) ? Math.max(0, (Date.now() + state.skewMs - t) / 1000) : null;
  }

  // ---- header and freshness ---------------------------------------------------------------------------------------
  function renderHeader(snap) {
    const c = obj(snap.configuration) || {};
    byId('hdr-model').textContent = txt(c.model);
    const parallel = ['TP ' + txt(c.tp), 'PP ' + txt(c.pp), 'EP ' + txt(c.ep)];
    if ((num(c.attentionDp) || 1) > 1) parallel.push('attn-DP ' + txt(c.attentionDp));
    const gpuCount = num(obj(snap.operatingPoint) && snap.operatingPoint.gpus);
    fill('hdr-facts', 
      h('span', { title: c.gpuDetectedFrom ? 'detected from: ' + c.gpuDetectedFrom : null },
        h('b', null, txt(c.gpuName || c.gpu)), gpuCount !== null ? ' \u00d7 ' + gpuCount : null),
      h('span', null, h('b', null, parallel.join(' \u00b7 '))),
      h('span', { title: 'weights \u00b7 KV cache \u00b7 activations precision' },
        'W ', h('b', null, txt(c.weights)), ' \u00b7 KV ', h('b', null, txt(c.kv)), ' \u00b7 A ', h('b', null, txt(c.activations))),
      h('span', null, 'server ', h('b', null, txt(c.server))),
      c.demo === true ? h('span', { class: 'badge demo', id: 'demo-badge', title: 'simulated server and GPUs' }, 'DEMO') : null);
    const eff = num(obj(snap.gap) && snap.gap.efficiency);
    document.title = (eff !== null ? pct(eff, 0) + ' of SOL \u00b7 ' : '') + txt(c.model) + ' \u00b7 SolProfiler';
  }

  function renderFreshness() {
    const el = byId('freshness');
    const snap = state.snap;
    const age = snap ? ageSeconds(snap) : null;
    const tooOld = age !== null && age > STALE_WINDOWS * windowSeconds(snap);
    const stale = !snap || state.error !== null || tooOld;
    const stateText = !snap && state.error === null ? 'waiting' : stale ? 'stale' : 'live';
    let why = '';
    if (state.error !== null) why = 'snapshot fetch failed: ' + state.error;
    else if (tooOld) why = 'snapshot older than ' + STALE_WINDOWS + ' windows';
    el.setAttribute('data-state', stale ? 'stale' : 'live');
    el.setAttribute('title', why || 'refreshed every ' + POLL_MS / 1000 + ' s');
    el.querySelector('.state').textContent = stateText;
    el.querySelector('.when').textContent = snap
      ? 'updated ' + clock(snap.timestamp) + ' \u00b7 ' + ago(age) + ' \u00b7 ' + spanText(snap)
      : (state.error !== null ? why : '');
    document.body.classList.toggle('stale', Boolean(snap) && stale);
  }

  // ---- banners: invalid snapshot, fetch failure, warnings from every stage -----------------------------------------
  function renderBanners(snap) {
    const items = [];
    if (state.error !== null) {
      items.push(h('div', { class: 'banner invalid', role: 'alert', id: 'fetch-error' },
        'Cannot refresh from api/v1/snapshot: ' + state.error + (snap ? ' (showing the last snapshot)' : '')));
    }
    if (snap && snap.valid !== true) {
      items.push(h('div', { class: 'banner invalid', role: 'alert', id: 'invalid-reason' },
        'No valid measurement in this window: ' + txt(snap.invalidReason)));
    }
    if (snap) {
      const warnings = [...arr(snap.warnings), ...arr(obj(snap.sol) && snap.sol.warnings), ...arr(obj(snap.gap) && snap.gap.warnings)];
      for (const w of warnings) {
        const text = str(w) || (obj(w) ? str(w.message) || JSON.stringify(w) : null);
        if (text) items.push(h('div', { class: 'banner warn', 'data-warning': '' }, '\u26a0 ' + text));
      }
    }
    fill('banners', ...items);
  }

  // ---- efficiency ---------------------------------------------------------------------------------------------------
  function renderEfficiency(snap) {
    const gap = obj(snap.gap) || {};
    const sol = obj(snap.sol) || {};
    const op = obj(snap.operatingPoint) || {};
    const eff = num(gap.efficiency);
    const [b, label] = band(eff);
    const kids = [
      h('div', { class: 'eff-number', id: 'efficiency', 'data-value': eff, 'data-band': b,
        'aria-label': 'efficiency ' + pct(eff) + ' of speed of light, ' + label }, pct(eff, eff !== null && eff >= 1 ? 0 : 1)),
      h('div', { class: 'eff-sub' }, 'SOL step \u00f7 measured step'),
      h('div', { class: 'eff-sub' }, h('span', { class: 'eff-band' }, label), ' \u00b7 ', ms(gap.solStepSeconds ?? sol.seconds?.step), ' vs ',
        ms(gap.measuredStepSeconds ?? op.measuredStepSeconds)),
    ];
    if (eff !== null && eff > 1) {
      kids.push(h('div', { class: 'eff-warning', id: 'efficiency-warning', role: 'alert' },
        'Measured faster than the speed of light: the configuration (model, GPU, precisions, parallelism) or the model is wrong.'));
    }
    kids.push(h('div', { class: 'kv' },
      'bound', h('b', null, txt(sol.bound)),
      'Pareto', h('b', null, num(gap.paretoGapRatio) === null ? DASH : pct(gap.paretoGapRatio, 0) + ' of frontier'),
      'step from', h('b', { class: 'code' }, txt(op.stepSource)),
      'context from', h('b', { class: 'code' }, txt(op.contextSource))));
    fill('eff-body', ...kids);
  }

  // ---- measured vs SOL table ----------------------------------------------------------------------------------------
  function renderStats(snap) {
    const op = obj(snap.operatingPoint) || {};
    const sol = obj(snap.sol) || {};
    const gap = obj(snap.gap) || {};
    const secs = obj(sol.seconds) || {};
    // Ratios read "how much of SOL we get": higher is better for every row.
    function row(name, measured, solValue, fmt, higherIsBetter, note) {
      const m = num(measured), v = num(solValue);
      let r = null;
      if (m !== null && v !== null && m > 0 && v > 0) r = higherIsBetter ? m / v : v / m;
      return h('tr', null,
        h('td', null, name, note ? h('div', { class: 'note' }, note) : null),
        h('td', { class: 'num' }, fmt(measured)),
        h('td', { class: 'num' }, fmt(solValue)),
        h('td', { class: 'num ' + (ratioClass(r) || 'muted') }, pct(r, 0)));
    }
    const tbl = h('table', { id: 'stats-table' },
      h('thead', null, h('tr', null, h('th', null, ''), h('th', { class: 'num' }, 'measured'), h('th', { class: 'num' }, 'SOL'),
        h('th', { class: 'num', title: 'share of SOL achieved' }, 'of SOL'))),
      h('tbody', null,
        row('Step time', op.measuredStepSeconds ?? gap.measuredStepSeconds, secs.step ?? gap.solStepSeconds, ms, false),
        row('Tokens/s per user', op.tokensPerSecondPerUser, sol.tokensPerSecondPerUser, sig, true),
        row('Tokens/s per GPU', op.tokensPerSecondPerGpu, sol.tokensPerSecondPerGpu, sig, true,
          num(gap.solTokensPerSecondPerGpuAtMeasuredInteractivity) !== null
            ? 'SOL at the same tokens/s per user: ' + sig(gap.solTokensPerSecondPerGpuAtMeasuredInteractivity) : null),
        row('Energy per token', op.joulesPerToken, sol.joulesPerToken, (x) => withUnit(x, 'J'), false)));
    const facts = h('div', { class: 'kv', style: 'grid-template-columns: auto 1fr auto 1fr auto 1fr;' },
      'batch', h('b', { id: 'fact-batch', title: 'from: ' + txt(op.batchSource) }, sig(op.batch), num(sol.batch) !== null ? h('span', { class: 'muted', title: 'the batch the SOL model was evaluated at' }, ' (SOL ' + compact(sol.batch) + ')') : null),
      'context', h('b', { id: 'fact-context', title: 'from: ' + txt(op.contextSource) }, num(op.contextTokens) === null ? DASH : fixed(op.contextTokens, 0) + ' tokens',
        op.contextSource === 'configured-default' ? h('span', { class: 'muted' }, ' (assumed)') : null),
      'prompt tokens / step', h('b', { id: 'fact-prefill', title: 'from: ' + txt(op.prefillSource) }, num(op.prefillTokensPerStep) === null ? DASH : sig(op.prefillTokensPerStep)),
      'tokens / step', h('b', { id: 'fact-tokens-per-step', title: 'from: ' + txt(op.speculationSource) }, num(op.emittedTokensPerStep) === null ? DASH : sig(op.emittedTokensPerStep)),
      'tokens/s', h('b', null, sig(op.tokensPerSecond)),
      'power', h('b', null, num(op.powerWatts) === null ? DASH : fixed(op.powerWatts, 0) + ' W'),
      'HBM / GPU', h('b', null, perSec(op.hbmBytesPerSecondPerGpu)),
      'NVLink / GPU', h('b', null, perSec(op.nvlinkBytesPerSecondPerGpu)),
      'busy', h('b', null, pct(op.busyRatio, 0)),
      'GPUs', h('b', null, txt(op.gpus), num(op.replicas) !== null ? h('span', { class: 'muted' }, ' in ' + op.replicas + ' replica' + (op.replicas === 1 ? '' : 's')) : null));
    fill('stats-body', tbl, facts);
  }

