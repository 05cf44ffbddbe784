  // A part of the status page's one script (status.html includes it inside its closure, in order): constants, safe DOM building, null-safe formatting and the palette.
  const POLL_MS = 2000;
  const FETCH_TIMEOUT_MS = 5000;
  const STALE_WINDOWS = 3;
  const DASH = '\u2013';
  const SVGNS = 'http://www.w3.org/2000/svg';

  // ---- safe DOM construction: strings become text nodes, attributes go through setAttribute -------------------
  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      e.setAttribute(k, String(v));
    }
  }
  function append(e, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : String(k));
    }
  }
  function h(tag, attrs, ...kids) { const e = document.createElement(tag); setAttrs(e, attrs); append(e, kids); return e; }
  function s(tag, attrs, ...kids) { const e = document.createElementNS(SVGNS, tag); setAttrs(e, attrs); append(e, kids); return e; }
  function byId(id) { return document.getElementById(id); }
  // replaceChildren would print a null child as the text "null"; this skips it like h() does.
  function fill(id, ...kids) { const e = byId(id); e.replaceChildren(); append(e, kids); }

  // ---- null-safe reading and formatting: a missing number is shown as a dash, never NaN or undefined -----------
  function num(x) { return typeof x === 'number' && Number.isFinite(x) ? x : null; }
  function str(x) { return typeof x === 'string' && x.length > 0 ? x : (typeof x === 'number' || typeof x === 'boolean' ? String(x) : null); }
  function obj(x) { return x !== null && typeof x === 'object' && !Array.isArray(x) ? x : null; }
  function arr(x) { return Array.isArray(x) ? x : []; }
  function txt(x) { const v = str(x); return v === null ? DASH : v; }
  function fixed(x, d) {
    const v = num(x);
    return v === null ? DASH : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  // Three significant figures reads well for every quantity on this page.
  function sig(x) {
    const v = num(x);
    if (v === null) return DASH;
    const a = Math.abs(v);
    return fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }
  function ms(seconds) { const v = num(seconds); return v === null ? DASH : sig(v * 1000) + ' ms'; }
  function pct(ratio, d) { const v = num(ratio); return v === null ? DASH : fixed(v * 100, d === undefined ? 1 : d) + '%'; }
  function perSec(bytes) {
    const v = num(bytes);
    if (v === null) return DASH;
    const units = [[1e12, 'TB/s'], [1e9, 'GB/s'], [1e6, 'MB/s'], [1e3, 'kB/s']];
    for (const [f, u] of units) if (Math.abs(v) >= f) return sig(v / f) + ' ' + u;
    return sig(v) + ' B/s';
  }
  function withUnit(x, unit) { const v = num(x); return v === null ? DASH : sig(v) + ' ' + unit; }
  function clock(iso) {
    const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
    if (!Number.isFinite(t)) return DASH;
    return new Date(t).toLocaleTimeString('en-GB', { hour12: false });
  }
  function ago(seconds) {
    const v = num(seconds);
    if (v === null) return DASH;
    if (v < 1) return 'just now';
    if (v < 120) return Math.round(v) + ' s ago';
    if (v < 7200) return Math.round(v / 60) + ' min ago';
    return Math.round(v / 3600) + ' h ago';
  }
  function ratioClass(r) { const v = num(r); return v === null ? null : v > 1.001 ? 'ratio-wrong' : v >= 0.7 ? 'ratio-good' : v >= 0.4 ? 'ratio-fair' : 'ratio-poor'; }

  // Bands for SRE triage. Decode within 70% of SOL is well tuned; under 40% something (host overhead, a small
  // batch, a bad kernel) is costing more than the hardware itself. Above 100% the inputs, not the GPU, are wrong.
  function band(eff) {
    const v = num(eff);
    if (v === null) return ['none', 'no data'];
    if (v > 1) return ['wrong', 'check configuration'];
    if (v >= 0.7) return ['good', 'good'];
    if (v >= 0.4) return ['fair', 'fair'];
    return ['poor', 'poor'];
  }

  // The palette is the agent's one (ChartPalette), written into the page when it is served: [key, name, CSS variable].
  const PALETTE = /*palette:json*/null;
  const CAUSES = [PALETTE.sol].concat(PALETTE.causes);
  const COMPONENTS = PALETTE.components;
  function cssVar(name) { return 'var(' + name + ')'; }
