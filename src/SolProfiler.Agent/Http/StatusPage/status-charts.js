  // A part of the status page's one script (status.html includes it inside its closure, in order): the charts: the SOL donut, the causes bar and the log-log Pareto.
  // ---- SOL donut ---------------------------------------------------------------------------------------------------
  function arcPath(cx, cy, r0, r1, a0, a1) {
    // Angles in turns from 12 o'clock, clockwise. One SVG arc cannot close on itself, so a whole ring is two
    // half circles each way, and the hole is cut by the even-odd fill rule of the caller.
    const span = a1 - a0;
    if (span >= 0.9999) {
      const ring = (r, sweep) => 'M' + cx + ' ' + (cy - r) + 'A' + r + ' ' + r + ' 0 1 ' + sweep + ' ' + cx + ' ' + (cy + r) +
        'A' + r + ' ' + r + ' 0 1 ' + sweep + ' ' + cx + ' ' + (cy - r) + 'Z';
      return ring(r1, 1) + ring(r0, 0);
    }
    const p = (r, a) => [cx + r * Math.sin(2 * Math.PI * a), cy - r * Math.cos(2 * Math.PI * a)];
    const large = span > 0.5 ? 1 : 0;
    const [x0, y0] = p(r1, a0), [x1, y1] = p(r1, a0 + span), [x2, y2] = p(r0, a0 + span), [x3, y3] = p(r0, a0);
    const f = (v) => v.toFixed(2);
    return 'M' + f(x0) + ' ' + f(y0) + 'A' + r1 + ' ' + r1 + ' 0 ' + large + ' 1 ' + f(x1) + ' ' + f(y1) +
      'L' + f(x2) + ' ' + f(y2) + 'A' + r0 + ' ' + r0 + ' 0 ' + large + ' 0 ' + f(x3) + ' ' + f(y3) + 'Z';
  }

  function renderDonut(snap) {
    const sol = obj(snap.sol);
    const shares = obj(sol && sol.shares);
    const secs = obj(sol && sol.seconds) || {};
    if (!shares) { fill('donut-body', h('div', { class: 'empty' }, 'no SOL result for this window')); return; }
    const values = COMPONENTS.map(([k]) => Math.max(0, num(shares[k]) || 0));
    const total = values.reduce((a, b) => a + b, 0);
    const size = 156, c = size / 2, r1 = 74, r0 = 50;
    const desc = COMPONENTS.map(([k, name], i) => name + ' ' + pct(total > 0 ? values[i] / total : null, 0)).join(', ');
    const svg = s('svg', { id: 'sol-donut', viewBox: '0 0 ' + size + ' ' + size, width: size, height: size, role: 'img',
      'aria-label': 'SOL step shares: ' + desc + '; bound: ' + txt(sol.bound) });
    svg.append(s('circle', { cx: c, cy: c, r: (r0 + r1) / 2, fill: 'none', stroke: 'var(--grid)', 'stroke-width': r1 - r0 }));
    let a = 0;
    COMPONENTS.forEach(([k, name, color], i) => {
      if (total <= 0 || values[i] <= 0) return;
      const share = values[i] / total;
      svg.append(s('path', { id: 'donut-' + k, 'data-component': k, 'data-share': share.toFixed(4), d: arcPath(c, c, r0, r1, a, a + share),
        fill: cssVar(color), 'fill-rule': 'evenodd', stroke: 'var(--card)', 'stroke-width': 1.5 },
        s('title', null, name + ': ' + pct(share, 0) + ' (' + ms(secs[k]) + ')')));
      a += share;
    });
    svg.append(s('text', { x: c, y: c - 4, 'text-anchor': 'middle', 'font-size': 18, 'font-weight': 700, id: 'donut-bound' }, txt(sol.bound)));
    svg.append(s('text', { x: c, y: c + 14, 'text-anchor': 'middle', class: 'muted' }, 'bound'));
    svg.append(s('text', { x: c, y: c + 30, 'text-anchor': 'middle', class: 'muted' }, ms(secs.step)));
    const legend = h('div', { class: 'donut-legend' });
    COMPONENTS.forEach(([k, name, color], i) => {
      legend.append(h('span', { class: 'sw', style: 'background:' + cssVar(color) }), h('span', null, name),
        h('span', { class: 'num' }, pct(total > 0 ? values[i] / total : null, 0)), h('span', { class: 'num muted' }, ms(secs[k])));
    });
    fill('donut-body', h('div', { class: 'donut-wrap' }, svg, legend));
  }

  // ---- causes: the stacked bar ------------------------------------------------------------------------------------
  function niceStep(range, count) {
    const raw = range / Math.max(1, count);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }

  function renderCauses(snap) {
    const gap = obj(snap.gap);
    const causes = obj(gap && gap.causes);
    const measured = num(gap && gap.measuredStepSeconds) ?? num(obj(snap.operatingPoint) && snap.operatingPoint.measuredStepSeconds);
    const solStep = num(gap && gap.solStepSeconds) ?? num(obj(snap.sol) && obj(snap.sol.seconds) && snap.sol.seconds.step);
    if (!causes || solStep === null) {
      fill('causes-body', h('div', { class: 'empty', id: 'causes-empty' },
        'no gap analysis for this window' + (snap.valid !== true && str(snap.invalidReason) ? ': ' + snap.invalidReason : '')));
      return;
    }
    const parts = CAUSES.map(([k, name, color]) => ({ k, name, color, v: Math.max(0, num(k === 'sol' ? solStep : causes[k]) || 0) }));
    const sum = parts.reduce((a, p) => a + p.v, 0);
    const full = Math.max(sum, measured || 0);
    const W = 1220, H = 58, barY = 4, barH = 30, left = 0;
    const x = (v) => left + (full > 0 ? v / full : 0) * (W - 2);
    const svg = s('svg', { id: 'causes-bar', viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img',
      'aria-label': 'measured step ' + ms(measured) + ' = ' + parts.map((p) => p.name + ' ' + ms(p.v)).join(' + ') });
    let at = 0;
    for (const p of parts) {
      const w = x(at + p.v) - x(at);
      svg.append(s('rect', { x: x(at).toFixed(2), y: barY, width: Math.max(0, w).toFixed(2), height: barH, fill: cssVar(p.color),
        'data-cause': p.k, 'data-seconds': p.v }, s('title', null, p.name + ': ' + ms(p.v) + ' (' + pct(measured ? p.v / measured : null) + ')')));
      if (w > 70) {
        svg.append(s('text', { x: (x(at) + w / 2).toFixed(2), y: barY + barH / 2 + 4, 'text-anchor': 'middle', 'font-weight': 600,
          fill: p.k === 'unused' || p.k === 'unattributed' || p.k === 'unusedBandwidth' ? '#1b1f24' : '#ffffff' },
          w > 150 ? p.name + ' ' + ms(p.v) : ms(p.v)));
      }
      at += p.v;
    }
    // A millisecond scale under the bar, so widths can be read without the legend.
    const axis = s('g', { class: 'axis' });
    const stepMs = niceStep(full * 1000, 10);
    for (let t = 0; t <= full * 1000 + 1e-9; t += stepMs) {
      const px = x(t / 1000);
      axis.append(s('line', { x1: px, x2: px, y1: barY + barH, y2: barY + barH + 5, class: 'axisline' }),
        s('text', { x: px, y: barY + barH + 18, 'text-anchor': t === 0 ? 'start' : 'middle' }, compact(t) + (t === 0 ? ' ms' : '')));
    }
    if (measured !== null) {
      const px = x(measured);
      axis.append(s('line', { x1: px, x2: px, y1: 0, y2: barY + barH + 4, stroke: 'var(--fg)', 'stroke-width': 2, id: 'causes-measured' }));
    }
    svg.append(axis);
    const legend = h('div', { class: 'legend', id: 'causes-legend' },
      parts.map((p) => h('span', { class: 'item' + (p.v > 0 ? '' : ' zero'), 'data-cause': p.k },
        h('span', { class: 'sw', style: 'background:' + cssVar(p.color) }), p.name,
        h('span', { class: 'val' }, ms(p.v)), h('span', { class: 'muted' }, pct(measured ? p.v / measured : null)))),
      h('span', { class: 'item' }, '= measured step', h('span', { class: 'val' }, ms(measured))));
    const kids = [svg, legend];
    if (measured !== null && Math.abs(sum - measured) > 0.02 * measured) {
      kids.push(h('div', { class: 'note' }, 'SOL and causes add up to ' + ms(sum) + ', not the measured ' + ms(measured) + '.'));
    }
    fill('causes-body', ...kids);
  }

  // ---- Pareto chart ----------------------------------------------------------------------------------------------
  function logTicks(lo, hi) {
    const out = [];
    for (let d = Math.floor(Math.log10(lo)) - 1; d <= Math.ceil(Math.log10(hi)) + 1; d++) {
      for (const m of [1, 2, 5]) { const v = m * Math.pow(10, d); if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v); }
    }
    return out;
  }
  // Axis ticks are round numbers: no trailing zeros, thousands as k.
  function short(v) { return v.toLocaleString('en-US', { maximumFractionDigits: 3 }); }
  function compact(v) { return v >= 1e6 ? short(v / 1e6) + 'M' : v >= 1e3 ? short(v / 1e3) + 'k' : short(Number(v.toPrecision(6))); }

  function renderPareto(snap) {
    const frontier = arr(snap.frontier).filter((p) => obj(p) && p.fits !== false && num(p.tokensPerSecondPerUser) > 0 && num(p.tokensPerSecondPerGpu) > 0);
    const skipped = arr(snap.frontier).length - frontier.length;
    const op = obj(snap.operatingPoint) || {};
    const gap = obj(snap.gap) || {};
    const sol = obj(snap.sol) || {};
    const mx = num(op.tokensPerSecondPerUser), my = num(op.tokensPerSecondPerGpu);
    const haveMeasured = mx !== null && my !== null && mx > 0 && my > 0;
    const atX = num(gap.solTokensPerSecondPerGpuAtMeasuredInteractivity);
    const sx = num(sol.tokensPerSecondPerUser), sy = num(sol.tokensPerSecondPerGpu);
    const xs = frontier.map((p) => p.tokensPerSecondPerUser), ys = frontier.map((p) => p.tokensPerSecondPerGpu);
    if (haveMeasured) { xs.push(mx); ys.push(my); if (atX !== null && atX > 0) ys.push(atX); }
    if (sx !== null && sy !== null && sx > 0 && sy > 0) { xs.push(sx); ys.push(sy); }
    if (!xs.length) { fill('pareto-body', h('div', { class: 'empty' }, 'no frontier and no measured point yet')); return; }

    const W = 590, H = 300, L = 58, R = 14, T = 10, B = 42;
    // Both axes are logarithmic, as in the report and the PNGs: a decode frontier spans decades in both, and equal
    // distances read as equal ratios. The padding leaves room for the batch labels, which sit outside the frontier.
    const x0 = Math.min(...xs) / 1.4, x1 = Math.max(...xs) * 1.8;
    const y0 = Math.min(...ys) / 1.4, y1 = Math.max(...ys) * 1.5;
    const X = (v) => L + (Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1) * (W - L - R);
    const Y = (v) => T + (1 - (Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * (H - T - B);
    const f = (v) => v.toFixed(1);

    const desc = 'SOL frontier over ' + frontier.length + ' batch sizes' +
      (haveMeasured ? '; measured ' + sig(mx) + ' tokens/s per user and ' + sig(my) + ' tokens/s per GPU' +
        (num(gap.paretoGapRatio) !== null ? ', ' + pct(gap.paretoGapRatio, 0) + ' of the frontier at that interactivity' : '') : '; no measured point');
    const svg = s('svg', { id: 'pareto', viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-labelledby': 'pareto-title pareto-desc' },
      s('desc', { id: 'pareto-desc' }, desc),
      s('defs', null, s('clipPath', { id: 'pareto-clip' }, s('rect', { x: L, y: T, width: W - L - R, height: H - T - B }))));
    const axis = s('g', { class: 'axis' });
    for (const v of logTicks(x0, x1)) {
      axis.append(s('line', { x1: f(X(v)), x2: f(X(v)), y1: T, y2: H - B, class: 'gridline' }),
        s('text', { x: f(X(v)), y: H - B + 16, 'text-anchor': 'middle' }, compact(v)));
    }
    for (const v of logTicks(y0, y1)) {
      axis.append(s('line', { x1: L, x2: W - R, y1: f(Y(v)), y2: f(Y(v)), class: 'gridline' }),
        s('text', { x: L - 6, y: f(Y(v)) + 4, 'text-anchor': 'end' }, compact(v)));
    }
    axis.append(s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axisline' }),
      s('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axisline' }),
      s('text', { x: (L + W - R) / 2, y: H - 8, 'text-anchor': 'middle' }, 'tokens/s per user (interactivity, log scale) \u2192'),
      s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' },
        'tokens/s per GPU (log scale) \u2192'));
    svg.append(axis);

    const plot = s('g', { 'clip-path': 'url(#pareto-clip)' });
    if (frontier.length) {
      const pts = frontier.map((p) => [X(p.tokensPerSecondPerUser), Y(p.tokensPerSecondPerGpu)]);
      const line = pts.map(([px, py], i) => (i ? 'L' : 'M') + f(px) + ' ' + f(py)).join('');
      // The region under the frontier is what the hardware allows; shading it makes "inside" obvious at a glance.
      plot.append(s('path', { d: line + 'L' + f(pts[pts.length - 1][0]) + ' ' + (H - B) + 'L' + f(pts[0][0]) + ' ' + (H - B) + 'Z',
        fill: 'var(--frontier)', 'fill-opacity': 0.08, stroke: 'none' }));
      plot.append(s('path', { id: 'frontier-path', 'data-points': frontier.length, d: line, fill: 'none', stroke: 'var(--frontier)', 'stroke-width': 2.5 }));
      let lastLabel = null;
      frontier.forEach((p, i) => {
        const [px, py] = pts[i];
        plot.append(s('circle', { cx: f(px), cy: f(py), r: 3, fill: 'var(--frontier)', 'data-batch': p.batch },
          s('title', null, 'SOL at batch ' + txt(p.batch) + ': ' + sig(p.tokensPerSecondPerUser) + ' tokens/s/user, ' + sig(p.tokensPerSecondPerGpu) + ' tokens/s/GPU')));
        // Label a few points, spaced so they never collide.
        const isEnd = i === 0 || i === frontier.length - 1;
        if (lastLabel === null || Math.hypot(px - lastLabel[0], py - lastLabel[1]) > 48 || (isEnd && Math.hypot(px - lastLabel[0], py - lastLabel[1]) > 22)) {
          // Up and to the right is outside a decode frontier, which falls from top left to bottom right.
          plot.append(s('text', { x: f(px + 6), y: f(py - 6), 'text-anchor': 'start', class: 'muted', 'data-batch-label': p.batch },
            'B=' + txt(p.batch)));
          lastLabel = [px, py];
        }
      });
    }
    if (sx !== null && sy !== null && sx > 0 && sy > 0) {
      plot.append(s('circle', { id: 'sol-point', cx: f(X(sx)), cy: f(Y(sy)), r: 6, fill: 'none', stroke: 'var(--frontier)', 'stroke-width': 2 },
        s('title', null, 'SOL at the measured batch (' + sig(sol.batch) + '): ' + sig(sx) + ' tokens/s/user, ' + sig(sy) + ' tokens/s/GPU')));
    }
    if (haveMeasured) {
      const px = X(mx), py = Y(my);
      if (atX !== null && atX > 0) {
        const qy = Y(atX);
        plot.append(s('line', { id: 'pareto-gap', x1: f(px), x2: f(px), y1: f(py), y2: f(qy), stroke: 'var(--measured)', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }),
          s('circle', { cx: f(px), cy: f(qy), r: 3.5, fill: 'var(--card)', stroke: 'var(--frontier)', 'stroke-width': 2 },
            s('title', null, 'SOL at the measured interactivity: ' + sig(atX) + ' tokens/s/GPU')));
        if (num(gap.paretoGapRatio) !== null) {
          plot.append(s('text', { x: f(px - 8), y: f((py + qy) / 2 + 4), 'text-anchor': 'end', 'font-weight': 600 }, pct(gap.paretoGapRatio, 0) + ' of frontier'));
        }
      }
      const d = 8;
      plot.append(s('path', { id: 'measured-point', 'data-x': mx, 'data-y': my,
        d: 'M' + f(px) + ' ' + f(py - d) + 'L' + f(px + d) + ' ' + f(py) + 'L' + f(px) + ' ' + f(py + d) + 'L' + f(px - d) + ' ' + f(py) + 'Z',
        fill: 'var(--measured)', stroke: 'var(--card)', 'stroke-width': 1.5 },
        s('title', null, 'measured: ' + sig(mx) + ' tokens/s/user, ' + sig(my) + ' tokens/s/GPU at batch ' + sig(op.batch))));
      plot.append(s('text', { x: f(px + 11), y: f(py + 4), 'font-weight': 700, fill: 'var(--measured)' }, 'measured'));
    }
    svg.append(plot);

    // Legend in the plot's lower-left, where a decode frontier (falling to the right) leaves room.
    const lg = s('g', { transform: 'translate(' + (L + 10) + ' ' + (H - B - 62) + ')' });
    lg.append(s('rect', { x: -6, y: -12, width: 196, height: 62, rx: 4, fill: 'var(--card)', 'fill-opacity': 0.85, stroke: 'var(--grid)' }),
      s('line', { x1: 0, x2: 18, y1: -2, y2: -2, stroke: 'var(--frontier)', 'stroke-width': 2.5 }), s('text', { x: 24, y: 2 }, 'SOL frontier (batch sweep)'),
      s('path', { d: 'M9 8L15 14L9 20L3 14Z', fill: 'var(--measured)' }), s('text', { x: 24, y: 18 }, 'measured'),
      s('circle', { cx: 9, cy: 32, r: 5, fill: 'none', stroke: 'var(--frontier)', 'stroke-width': 2 }), s('text', { x: 24, y: 36 }, 'SOL at the measured batch'));
    svg.append(lg);

    const kids = [svg];
    const notes = [];
    if (skipped > 0) notes.push(skipped + ' batch size' + (skipped === 1 ? '' : 's') + ' of the sweep do not fit in GPU memory and are left out.');
    if (!haveMeasured) notes.push('No measured point in this window.');
    if (notes.length) kids.push(h('div', { class: 'note' }, notes.join(' ')));
    fill('pareto-body', ...kids);
  }

