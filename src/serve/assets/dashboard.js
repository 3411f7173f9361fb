// asha-tune's live dashboard (asha-tune serve, --serve). Plain JavaScript, no library: the page
// asks only its own server, so it works offline and through `ssh -L`.
//
// The state of a run is built here from its journal (the run's source of truth), which the
// server streams as Server-Sent Events from an offset on: the first events bring the run so
// far, the next ones what the tuner journaled since (at most ten events a second). Nothing
// polls on a timer; the only timer limits how often the page redraws. The status of each trial
// is the one `status` prints (trials.csv) once the run has ended; while it runs, the journal's
// newer word is shown.
// Every name that comes from a run (hyperparameters, metric, trial output) goes through esc()
// or textContent.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ESC[c]);
  const num = (v) =>
    typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity
      : v === '-Infinity' ? -Infinity : v === null || v === undefined || v === '' ? NaN : Number(v);
  // Numbers for people: 6 significant digits (the files keep them all).
  const fmt = (v) => {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'string' && v.trim() !== '' && isNaN(Number(v)) && !/^-?Infinity$|^NaN$/.test(v)) return v;
    const x = num(v);
    if (!isFinite(x)) return String(x);
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    return String(Number(x.toPrecision(6)));
  };
  const fmtDuration = (s) => {
    if (!isFinite(s)) return '';
    if (s < 60) return `${fmt(Math.round(s * 10) / 10)} s`;
    const m = Math.floor(s / 60), h = Math.floor(m / 60);
    return h > 0 ? `${h} h ${String(m % 60).padStart(2, '0')} min` : `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  };
  const STATUS_COLOR = { InProgress: '#2f6fde', Completed: '#1a9e5b', Stopped: '#98a2b3', Paused: '#e08a00', Failed: '#d92d20' };
  const pill = (s) => `<span class="pill ${esc(s)}">${esc(s === 'InProgress' ? 'Running' : s)}</span>`;
  const runHref = (name) => `#/run/${encodeURIComponent(name)}`;
  const trialHref = (name, id) => `${runHref(name)}/trial/${id}`;

  // ---- what a test or a benchmark reads (window.ashaDashboard) ----
  const probe = { view: '', reports: 0, decisions: [], latencies: [], runs: [], finished: false, renders: 0 };
  window.ashaDashboard = probe;

  // ---- the connection indicator ----
  const live = (on, text) => { const el = $('live'); setAttr(el, 'class', `live ${on ? 'on' : 'off'}`); setText(el, text); };

  // Replaces an element's content only when it changed: most of a live page is the same from one
  // drawing to the next, and the browser lays out and rasterises again whatever is written.
  const setHtml = (el, html) => { if (el.shownHtml === html) return; el.innerHTML = html; el.shownHtml = html; };
  const setText = (el, text) => { if (el.textContent !== text) el.textContent = text; };
  const setAttr = (el, name, value) => { if (el.getAttribute(name) !== String(value)) el.setAttribute(name, value); };

  // ---- CSV (trials.csv), RFC 4180 ----
  function parseCsv(text) {
    const rows = []; let row = [], field = '', quoted = false, i = 0;
    while (i < text.length) {
      const c = text[i];
      if (quoted) {
        if (c === '"') { if (text[i + 1] === '"') { field += '"'; i += 2; continue; } quoted = false; i++; continue; }
        field += c; i++; continue;
      }
      if (c === '"') { quoted = true; i++; continue; }
      if (c === ',') { row.push(field); field = ''; i++; continue; }
      if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        row.push(field); rows.push(row); row = []; field = ''; i++; continue;
      }
      field += c; i++;
    }
    return rows; // a last row without its newline is being written: dropped
  }

  // The smallest and largest resource and value seen so far.
  class Extent {
    constructor() { this.x = [Infinity, -Infinity]; this.v = [Infinity, -Infinity]; }
    push(x, v) {
      if (isFinite(x)) { this.x[0] = Math.min(this.x[0], x); this.x[1] = Math.max(this.x[1], x); }
      this.v[0] = Math.min(this.v[0], v); this.v[1] = Math.max(this.v[1], v);
    }
  }

  // ---- one run, from its journal ----
  class RunState {
    // probe.finished: the run last opened has been read to its end (not an earlier one's).
    constructor(name) { this.name = name; this.reset(); probe.finished = false; }
    reset() {
      this.header = null; this.config = {}; this.metric = 'metric'; this.mode = 'min'; this.resource = 'epoch';
      this.hps = []; this.trials = new Map(); this.log = []; this.rungs = new Map(); this.best = [];
      this.bestValue = undefined; this.bestTrial = undefined; this.time = 0; this.finished = null; this.ended = null;
      this.csv = null; this.bad = 0; this.reports = 0; this.printed = [];
      this.raises = []; // PASHA: each raise of its top rung (the report records' `raised`)
      this.extent = new Extent(); // of every finite point: the curves' axes without a pass over all
      // Several objectives (and constraints): every objective and bound, and the results that
      // may be on the Pareto front, as pareto.json counts them.
      this.objectives = []; this.constraints = []; this.full = []; this.fullSeen = new Set(); this.frontMemo = null;
    }
    get multi() { return this.objectives.length > 1; }
    // PASHA: where its trials go up to now (README "PASHA"): the last raise's level, else the
    // second rung level, round(grace_period * eta) (half to even, as the tuner rounds levels).
    pashaTop() {
      if (this.raises.length) return num(this.raises[this.raises.length - 1].level);
      const s = this.config.scheduler || {}, g = num(s.grace_period ?? 1), eta = num(s.reduction_factor ?? 3);
      const x = g * eta, whole = Number.isInteger(g) && Number.isInteger(this.maxT);
      if (!whole) return x;
      const f = Math.floor(x), d = x - f;
      return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
    }
    // A reported value: from the report's fields (every key), the first objective also as `metric`.
    valueOf(r, name) {
      if (r.fields && Object.prototype.hasOwnProperty.call(r.fields, name)) return num(r.fields[name]);
      return name === this.metric ? num(r.metric) : NaN;
    }
    // Within every constraint's bounds (a missing or non-finite value never is).
    feasible(r) {
      return this.constraints.every((c) => { const v = this.valueOf(r, c.name); return isFinite(v) && v >= c.min && v <= c.max; });
    }
    better(a, b) { return this.mode === 'max' ? a > b : a < b; }
    trial(id) {
      let t = this.trials.get(id);
      if (!t) { t = { id, config: {}, bracket: 0, status: 'InProgress', legs: [], points: [], decisions: [], last: undefined, lastDecision: '', maxResource: 0, timedOut: false }; this.trials.set(id, t); }
      return t;
    }
    apply(r) {
      if (r.trial !== undefined) r.trial = Number(r.trial);
      if (typeof r.time === 'number' && r.time > this.time) this.time = r.time;
      switch (r.event) {
        case 'run': {
          this.header = r; this.config = r.config || {};
          const first = (x) => (Array.isArray(x) ? x[0] : x); // several objectives: the first is drawn
          this.metric = first(this.config.metric) || 'metric'; this.mode = first(this.config.mode) || 'min';
          this.resource = this.config.resource_attr || 'epoch';
          const metrics = Array.isArray(this.config.metric) ? this.config.metric : [this.metric];
          const modes = Array.isArray(this.config.mode) ? this.config.mode : metrics.map(() => this.config.mode || 'min');
          this.objectives = metrics.map((n, k) => ({ name: String(n), mode: modes[k] === 'max' ? 'max' : 'min' }));
          this.constraints = Object.entries(this.config.constraints || {}).map(([n, b]) => ({
            name: n, min: b && b.min !== undefined ? num(b.min) : -Infinity, max: b && b.max !== undefined ? num(b.max) : Infinity }));
          const space = this.config.config_space || {};
          this.hps = Object.keys(space).filter((k) => space[k] && typeof space[k] === 'object' && !Array.isArray(space[k]) && space[k].type);
          this.maxT = num(space[this.config.max_resource_attr]) || num(this.config.max_t) || undefined;
          break;
        }
        case 'start': {
          const t = this.trial(r.trial);
          if (r.config) t.config = r.config;
          t.bracket = r.bracket || 0; t.status = 'InProgress'; t.timedOut = false;
          t.legs.push({ leg: r.leg, kind: r.kind, start: r.time, milestone: r.milestone, end: undefined, why: r.why });
          if (r.why) this.decide(r.trial, r.time, 'PROMOTE', r.why, undefined);
          break;
        }
        case 'started': case 'running': {
          const t = this.trials.get(r.trial);
          const leg = t && t.legs[t.legs.length - 1];
          if (leg && leg.end === undefined) leg.running = r.time;
          break;
        }
        case 'report': {
          const t = this.trial(r.trial); const v = num(r.metric), x = num(r.resource);
          t.points.push([x, v, r.time]); t.last = v; t.lastReport = r; t.lastDecision = r.decision; t.maxResource = Math.max(t.maxResource, x);
          if (isFinite(v)) { this.extent.push(x, v); }
          this.reports++; probe.reports++;
          // A trial that reports its own wall-clock time as `ts` (bench/dashboard_bench.py): the
          // page notes when the point is drawn, for the latency from print to screen.
          if (r.fields && typeof r.fields.ts === 'number' && this.printed.length < 100000) this.printed.push([r.fields.ts, Date.now()]);
          const feasible = this.feasible(r);
          if (this.multi) this.offerFull(r, x, feasible);
          else if (feasible && isFinite(v) && (this.bestValue === undefined || this.better(v, this.bestValue))) {
            this.bestValue = v; this.bestTrial = r.trial; this.best.push([r.time, v, r.trial]);
          }
          if (r.why) this.decide(r.trial, r.time, r.decision, r.why, x);
          else if (r.decision !== 'CONTINUE') this.decide(r.trial, r.time, r.decision, null, x);
          if (r.raised) { this.raises.push({ ...r.raised, time: r.time }); this.log.push({ trial: r.trial, time: r.time, decision: 'RAISE', raised: r.raised, resource: x }); }
          break;
        }
        case 'timeout': { const t = this.trials.get(r.trial); if (t) t.timedOut = true; break; }
        case 'exit': {
          const t = this.trials.get(r.trial); if (!t) break;
          const leg = t.legs[t.legs.length - 1]; if (leg) leg.end = r.time, leg.exit = r;
          // The journal's word until trials.csv has the tuner's own (classify_leg_end).
          t.status = t.lastDecision === 'STOP' ? 'Stopped' : t.lastDecision === 'PAUSE' ? 'Paused'
            : t.timedOut || (r.exit_code !== 0 && !r.stopped_by_tuner) || r.signal ? (r.stopped_by_tuner && !t.timedOut ? 'Stopped' : 'Failed')
              : this.maxT !== undefined && t.maxResource >= this.maxT ? 'Completed' : r.stopped_by_tuner ? 'Stopped' : 'Completed';
          break;
        }
        case 'end': this.ended = r; break;
        case 'finished': this.finished = r; probe.finished = true; break;
        default: break;
      }
    }
    // A result that may be on the Pareto front: its trial's first at max_t (every result of a run
    // without max_t), every objective finite, no constraint violated (policy/pareto_front).
    offerFull(r, x, feasible) {
      if (this.maxT !== undefined) {
        if (!(x >= this.maxT * (1 - 1e-9)) || this.fullSeen.has(r.trial)) return;
        this.fullSeen.add(r.trial);
      }
      const values = this.objectives.map((o) => this.valueOf(r, o.name));
      if (!feasible || !values.every(isFinite)) return;
      this.full.push({ trial: r.trial, values, time: r.time }); this.frontMemo = null;
    }
    // The front, the hypervolume against time and its reference point; worked out again only
    // after a new full-fidelity result.
    front() {
      if (!this.frontMemo) this.frontMemo = frontOf(this.objectives, this.full);
      return this.frontMemo;
    }
    decide(trial, time, decision, why, resource) {
      const d = { trial, time, decision, why, resource };
      this.log.push(d); this.trial(trial).decisions.push(d);
      probe.decisions.push({ run: this.name, trial, time, decision, why });
      if (why && why.level !== undefined) {
        const key = `${why.bracket}/${why.level}`;
        let rung = this.rungs.get(key);
        if (!rung) { rung = { bracket: why.bracket, level: num(why.level), values: new Map(), cutoff: NaN }; this.rungs.set(key, rung); }
        if (decision !== 'PROMOTE') rung.values.set(trial, num(why.value));
        if (why.cutoff !== undefined) rung.cutoff = num(why.cutoff);
      }
    }
    // The status to show: trials.csv's (what `status` prints) once the run ended.
    statusOf(t) { return this.finished && this.csv && this.csv.has(t.id) ? this.csv.get(t.id) : t.status; }
    takeCsv(text) {
      const rows = parseCsv(text); if (rows.length < 1) return;
      const h = rows[0], id = h.indexOf('trial_id'), st = h.indexOf('status'); if (id < 0 || st < 0) return;
      this.csv = new Map(); for (const row of rows.slice(1)) this.csv.set(Number(row[id]), row[st]);
    }
    counts() {
      const c = { InProgress: 0, Completed: 0, Stopped: 0, Paused: 0, Failed: 0 };
      for (const t of this.trials.values()) { const s = this.statusOf(t); c[s] = (c[s] || 0) + 1; }
      return c;
    }
  }

  // Connects a RunState to the server's stream of its journal; calls changed() after new records.
  function follow(state, changed) {
    const es = new EventSource(`/api/run/events?run=${encodeURIComponent(state.name)}`);
    let csvBusy = false, csvAgain = false;
    const loadCsv = () => {
      if (csvBusy) { csvAgain = true; return; }
      csvBusy = true;
      fetch(`/api/run/trials.csv?run=${encodeURIComponent(state.name)}`).then((r) => r.text()).then((text) => {
        state.takeCsv(text); changed();
      }).catch(() => {}).finally(() => { csvBusy = false; if (csvAgain) { csvAgain = false; loadCsv(); } });
    };
    es.addEventListener('reset', () => state.reset());
    // A long run's past comes in batches: drawn once it is all read (a line says how far).
    let catchUp = 0;
    es.addEventListener('start', (e) => {
      const start = JSON.parse(e.data); probe.connections = (probe.connections || 0) + 1;
      if (start.from === 0) state.reset();
      catchUp = start.end || 0; state.loaded = start.from >= catchUp; probe.connectedAt = Date.now();
      live(true, 'live'); if (state.loaded) changed();
    });
    es.addEventListener('journal', (e) => {
      const t0 = performance.now();
      if (probe.firstJournalAt === undefined) probe.firstJournalAt = t0;
      for (const line of e.data.split('\n')) {
        let record; try { record = JSON.parse(line); } catch (err) { state.bad++; continue; }
        state.apply(record);
      }
      probe.readMs = (probe.readMs || 0) + performance.now() - t0; probe.readAt = performance.now();
      const offset = Number(e.lastEventId);
      if (!state.loaded && offset < catchUp) { live(true, `reading the journal: ${Math.floor(100 * offset / catchUp)} %`); return; }
      if (!state.loaded) { state.loaded = true; live(true, 'live'); }
      csvIfFinished();
      changed();
    });
    // trials.csv is rewritten as trials end; its statuses are shown once the run has finished
    // (until then the journal's are newer), so it is read then, and again if rewritten after.
    let csvWanted = true;
    const csvIfFinished = () => { if (csvWanted && state.finished) { csvWanted = false; loadCsv(); } };
    es.addEventListener('trials', () => { csvWanted = true; csvIfFinished(); });
    es.addEventListener('gone', () => { state.gone = true; es.close(); live(false, 'run deleted'); changed(); });
    const handle = { es, close: () => { handle.es.close(); if (handle.waiting) handle.waiting.close(); } };
    es.onerror = () => {
      if (state.gone) return;
      live(false, 'reconnecting…');
      // Refused (no such run, yet): wait on the list of runs until it appears, then follow it.
      if (es.readyState === EventSource.CLOSED && !handle.waiting) {
        state.missing = true; changed();
        const runs = new EventSource('/api/runs/events'); handle.waiting = runs;
        runs.addEventListener('runs', (e) => {
          if (!JSON.parse(e.data).some((r) => r.name === state.name)) return;
          runs.close(); state.missing = false;
          const again = follow(state, changed); handle.es = again.es; handle.waiting = again.waiting;
          handle.close = again.close;
        });
      }
    };
    es.onopen = () => live(true, 'live');
    return handle;
  }

  // What a latency benchmark reads: when the page had drawn each report.
  // Drawn means the DOM holds it; `frame` is when the browser next produced a frame after that;
  // `shownAt`, when the browser had laid out and painted that frame (the task after it).
  function noteDrawn(state) {
    probe.drawnAt = Date.now(); probe.drawnReports = state.reports;
    requestAnimationFrame(() => setTimeout(() => { probe.shownAt = Date.now(); }, 0));
    const batch = state.printed.map(([ts, received]) => [ts * 1000, received, probe.drawnAt, 0]);
    probe.latencies.push(...batch);
    state.printed = [];
    if (batch.length) requestAnimationFrame(() => { const now = Date.now(); for (const x of batch) x[3] = now; });
  }

  // What records change is drawn at most every DRAW_EVERY_MS, however fast they come, and the
  // page is left at least twice the time a drawing took before the next (so a large run is never
  // drawn back to back). Each drawing costs the browser a frame (style, layout, paint, raster),
  // which a browser on the run's own machine takes from the trials: drawn every 150 ms, a page
  // cost a run of 64 instant trials on 2 cores a fifth of its trials per second; every 500 ms
  // (with the server's batched events), a tenth (docs/benchmarks.md, "Fewer, larger events").
  // What the user does (a sort, a filter, a page of rows, a section scrolled to) is drawn at
  // once (`redraw.now()`; still not back to back). A page nobody sees (a background tab, a
  // minimised window) draws nothing: the records are still read, and drawn at once when it is
  // shown again. Once its view is closed (`redraw.stop()`), nothing is drawn: a pending drawing
  // would land in the next view of its kind.
  const DRAW_EVERY_MS = 500;
  function throttle(draw) {
    let timer = 0, last = -Infinity, took = 0, stopped = false, missed = false;
    const run = () => {
      timer = 0; if (stopped) return;
      if (document.hidden) { missed = true; return; }
      const t = performance.now(); draw(); last = performance.now(); took = last - t;
    };
    // A timer, not requestAnimationFrame: frames come late while the browser rasterises a
    // large chart, and the data would wait for them; the browser shows the DOM at its next
    // frame anyway.
    const redraw = () => {
      if (!timer) timer = setTimeout(run, Math.max(0, Math.max(DRAW_EVERY_MS, 2 * took) - (performance.now() - last)));
    };
    redraw.now = () => { clearTimeout(timer); timer = setTimeout(run, Math.max(0, 2 * took - (performance.now() - last))); };
    const shown = () => { if (!document.hidden && missed) { missed = false; redraw.now(); } };
    document.addEventListener('visibilitychange', shown);
    redraw.stop = () => { stopped = true; clearTimeout(timer); document.removeEventListener('visibilitychange', shown); };
    return redraw;
  }

  // ---- several objectives: the Pareto front and its hypervolume, as pareto.json and the report ----
  // A point's key: every objective minimised (a maximised one negated).
  const minimised = (objectives, values) => values.map((v, k) => (objectives[k].mode === 'max' ? -v : v));
  const dominates = (a, b) => {
    let strict = false;
    for (let k = 0; k < a.length; k++) { if (a[k] > b[k]) return false; if (a[k] < b[k]) strict = true; }
    return strict;
  };
  const lexLess = (a, b) => { for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k]; return 0; };
  // The volume dominated by minimised points and bounded by ref: a sweep for two objectives,
  // slices along the last one for more.
  function hypervolume(keys, ref) {
    const pts = keys.filter((k) => k.every((v, i) => v < ref[i]));
    if (!pts.length) return 0;
    const d = ref.length;
    if (d === 1) return ref[0] - Math.min(...pts.map((p) => p[0]));
    if (d === 2) {
      pts.sort(lexLess);
      let vol = 0, low = ref[1];
      for (const [x, y] of pts) if (y < low) { vol += (ref[0] - x) * (low - y); low = y; }
      return vol;
    }
    pts.sort((a, b) => a[d - 1] - b[d - 1]);
    let vol = 0;
    for (let i = 0; i < pts.length; i++) {
      const top = i + 1 < pts.length ? pts[i + 1][d - 1] : ref[d - 1];
      if (top > pts[i][d - 1]) vol += (top - pts[i][d - 1]) * hypervolume(pts.slice(0, i + 1).map((p) => p.slice(0, d - 1)), ref.slice(0, d - 1));
    }
    return vol;
  }
  // The non-dominated results (equal ones all kept), best first in the first objective, then by
  // trial; the reference point (the worst value of each objective among all results, as the
  // report takes it) and the hypervolume of the front found by each result's time.
  function frontOf(objectives, results) {
    const keyed = results.map((p) => ({ p, k: minimised(objectives, p.values) }));
    const ref = objectives.map((o, j) => keyed.reduce((worst, e) => Math.max(worst, e.k[j]), -Infinity));
    // In lexicographic order a point can only be dominated by one before it.
    const sorted = [...keyed].sort((a, b) => lexLess(a.k, b.k) || a.p.trial - b.p.trial);
    const front = [];
    for (const e of sorted) if (!front.some((f) => dominates(f.k, e.k))) front.push(e);
    // Against time: the front so far, one result at a time, its volume where it changes.
    const steps = []; let sofar = [];
    for (const e of keyed) {
      if (sofar.some((f) => dominates(f, e.k) || lexLess(f, e.k) === 0)) continue;
      sofar = sofar.filter((f) => !dominates(e.k, f)); sofar.push(e.k);
      const hv = hypervolume(sofar, ref);
      if (!steps.length || hv > steps[steps.length - 1][1]) steps.push([e.p.time, hv, e.p.trial]);
    }
    const display = ref.map((v, j) => (objectives[j].mode === 'max' ? -v : v));
    return { front: front.map((e) => e.p), reference: display, steps, hypervolume: steps.length ? steps[steps.length - 1][1] : 0 };
  }

  // ---- charts: SVG drawn here ----
  const niceTicks = (lo, hi, n = 5) => {
    if (!(hi > lo)) return [lo];
    const step0 = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
    const out = []; for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  };
  // Ticks of a log axis: the powers of ten inside it, with 2 and 5 times them when few.
  const logTicks = (lo, hi) => {
    const out = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) for (const m of [1, 2, 5]) { const v = m * Math.pow(10, k); if (Math.log10(v) >= lo && Math.log10(v) <= hi) out.push(v); }
    const powers = out.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    return powers.length >= 3 ? powers : out;
  };
  function scale(values, { log = false, pad = 0.04 } = {}) {
    let lo = Infinity, hi = -Infinity;
    for (const v of values) if (isFinite(v) && (!log || v > 0)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    if (lo === Infinity) { lo = 0; hi = 1; }
    if (log) { lo = Math.log10(lo); hi = Math.log10(hi); }
    if (hi === lo) { hi += 0.5; lo -= 0.5; }
    const span = hi - lo; lo -= span * pad; hi += span * pad;
    return { lo, hi, log, f: (v) => ((log ? Math.log10(v) : v) - lo) / (hi - lo) };
  }
  // A frame: axes, ticks, labels. Returns {svg parts, x(v), y(v)} in pixels.
  function frame({ w = 560, h = 260, xs, ys, xlabel = '', ylabel = '', xfmt = fmt, categories = null }) {
    const m = { l: 58, r: 12, t: 10, b: 34 };
    const X = (v) => m.l + xs.f(v) * (w - m.l - m.r), Y = (v) => h - m.b - ys.f(v) * (h - m.t - m.b);
    let s = `<svg viewBox="0 0 ${w} ${h}" role="img">`;
    const yt = ys.log ? logTicks(ys.lo, ys.hi) : niceTicks(ys.lo, ys.hi);
    for (const v of yt) { const y = Y(v); if (y < m.t - 1 || y > h - m.b + 1) continue; s += `<line class="gridline" x1="${m.l}" x2="${w - m.r}" y1="${y}" y2="${y}"/><text x="${m.l - 6}" y="${y + 4}" text-anchor="end">${esc(fmt(v))}</text>`; }
    if (categories) categories.forEach((c, i) => { s += `<text x="${X(i)}" y="${h - m.b + 16}" text-anchor="middle">${esc(String(c).slice(0, 12))}</text>`; });
    else for (const v of (xs.log ? logTicks(xs.lo, xs.hi) : niceTicks(xs.lo, xs.hi))) { const x = X(v); if (x < m.l - 1 || x > w - m.r + 1) continue; s += `<text x="${x}" y="${h - m.b + 16}" text-anchor="middle">${esc(xfmt(v))}</text>`; }
    s += `<line class="axis" x1="${m.l}" x2="${w - m.r}" y1="${h - m.b}" y2="${h - m.b}"/><line class="axis" x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${h - m.b}"/>`;
    s += `<text x="${(m.l + w - m.r) / 2}" y="${h - 4}" text-anchor="middle">${esc(xlabel)}</text>`;
    s += `<text transform="translate(12 ${(m.t + h - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`;
    return { s, X, Y, m, w, h };
  }
  const statusColor = (state, t) => STATUS_COLOR[state.statusOf(t)] || '#98a2b3';
  const clampY = (fr, y) => Math.max(fr.m.t, Math.min(fr.h - fr.m.b, y));
  const configText = (state, t) => `trial ${t.id} (${state.statusOf(t) === 'InProgress' ? 'running' : state.statusOf(t)})\n` +
    state.hps.map((k) => `${k} = ${fmt(t.config[k])}`).join('\n') +
    (!t.lastReport ? '' : state.multi ? state.objectives.map((o) => `\n${o.name} = ${fmt(state.valueOf(t.lastReport, o.name))}`).join('') : `\n${state.metric} = ${fmt(t.last)}`);

  // What a chart draws, grouped by colour: a few SVG elements however many trials (a run of
  // 10,000 trials would otherwise be 70,000 elements), and where each trial is, for hover().
  class Ink {
    constructor(order = ['#98a2b3', '#e08a00', '#d92d20', '#1a9e5b', '#2f6fde']) {
      this.lines = new Map(order.map((c) => [c, ''])); this.dots = new Map(order.map((c) => [c, '']));
      this.boxes = new Map(order.map((c) => [c, ''])); this.hits = []; this.count = 0;
    }
    line(color, d) { this.lines.set(color, (this.lines.get(color) || '') + d); }
    dot(color, x, y, trial) {
      this.dots.set(color, `${this.dots.get(color) || ''}M${x.toFixed(1)} ${y.toFixed(1)}h0`);
      if (trial !== undefined) this.hits.push([x, y, x, y, trial]);
    }
    box(color, x0, y0, x1, y1, trial) {
      this.boxes.set(color, `${this.boxes.get(color) || ''}M${x0.toFixed(1)} ${y0.toFixed(1)}H${x1.toFixed(1)}V${y1.toFixed(1)}H${x0.toFixed(1)}Z`);
      this.hits.push([x0, y0, x1, y1, trial]);
    }
    hit(x, y, trial) { this.hits.push([x, y, x, y, trial]); }
    svg() {
      let s = '';
      for (const [c, d] of this.boxes) if (d) s += `<path class="ink-box" fill="${c}" d="${d}"/>`;
      for (const [c, d] of this.lines) if (d) s += `<path class="ink-line" stroke="${c}" d="${d}"/>`;
      for (const [c, d] of this.dots) if (d) s += `<path class="ink-dot" stroke="${c}" d="${d}"/>`;
      return s;
    }
  }
  // Puts a chart in its place, with what hover() needs to find a trial and draw it out.
  function place(el, svg, ink, highlight) {
    setHtml(el, svg); el.hits = ink ? ink.hits : []; el.highlight = highlight; setAttr(el, 'data-drawn', ink ? ink.count : 0);
  }
  const curvePath = (fr, t) => {
    // A live run redraws its curves often, mostly on the same axes: each trial's path is kept
    // until its points or the axes change.
    const key = fr.key && `${fr.key}|${t.points.length}`;
    if (key && t.path && t.path.key === key) return t.path.d;
    let d = '';
    for (const [x, v] of t.points) if (isFinite(v)) d += `${d ? 'L' : 'M'}${fr.X(x).toFixed(1)} ${clampY(fr, fr.Y(v)).toFixed(1)}`;
    if (key) t.path = { key, d };
    return d;
  };

  // One trial's curve with its decisions marked (and each rung's cutoff): the trial page.
  function curvesChart(el, state, t, decisions) {
    const marks = decisions.filter((d) => d.why && d.resource !== undefined);
    const xs = scale(t.points.map((p) => p[0]), { pad: 0.02 });
    const ys = scale(t.points.map((p) => p[1]).concat(marks.map((d) => num(d.why.cutoff))));
    const fr = frame({ xs, ys, xlabel: state.resource, ylabel: state.metric });
    const ink = new Ink();
    const d = curvePath(fr, t), color = statusColor(state, t);
    if (d) { ink.line(color, d); ink.count++; }
    if (d && t.points.length === 1) ink.dot(color, fr.X(t.points[0][0]), clampY(fr, fr.Y(t.points[0][1])));
    for (const [x, v] of t.points) if (isFinite(v)) ink.hit(fr.X(x), clampY(fr, fr.Y(v)), t.id);
    let s = fr.s + ink.svg();
    const DECISION_COLOR = { STOP: '#d92d20', PAUSE: '#e08a00', CONTINUE: '#1a9e5b' };
    for (const m of marks) {
      const x = fr.X(m.resource), cut = num(m.why.cutoff), v = num(m.why.value);
      if (isFinite(cut)) s += `<line class="cutoff" x1="${x - 14}" x2="${x + 14}" y1="${clampY(fr, fr.Y(cut))}" y2="${clampY(fr, fr.Y(cut))}"><title>cutoff ${esc(fmt(cut))}</title></line>`;
      if (isFinite(v)) s += `<circle cx="${x}" cy="${clampY(fr, fr.Y(v))}" r="4.5" fill="${DECISION_COLOR[m.decision] || '#2f6fde'}"><title>${esc(m.decision)} at ${esc(state.resource)} ${esc(fmt(m.resource))}</title></circle>`;
    }
    place(el, `${s}</svg>`, ink, () => curvePath(fr, t));
  }

  // Every trial's curve, in three stacked layers. At the bottom an SVG with the chart's frame
  // and the trials that had settled (not running) when it was last written, which is when the
  // axes change, or at most once a second when a trial on it has changed since (a paused trial
  // resumed); hover() finds the trial under the pointer in it and draws its curve out on it.
  // Above it a canvas, where a trial that settles in between is drawn once, on top of what is
  // there; it is cleared when the SVG is written. At the top an SVG with the rest: the running
  // trials and those changed since they were drawn (a few dozen paths, redrawn as reports
  // come). Writing every settled curve again each second, as trials settled, was most of a live
  // page's CPU; and a run opened when it is done (10,000 trials) is one SVG as before, which the
  // browser rasterises on its worker threads (a canvas that size held its main thread longer).
  const SETTLED_EVERY_MS = 1000;
  const CURVE_ALPHA = 0.5, DOT_ALPHA = 0.7;
  function runCurves(el, state, later) {
    if (!el.layers) {
      el.innerHTML = '<div class="curve-settled"></div><canvas class="curve-canvas"></canvas><div class="curve-live"></div>';
      const [settled, canvas, live] = el.children;
      el.layers = { canvas, settled, live, key: '', at: -Infinity, drawn: new Map(), onCanvas: [], stale: false, width: 0 };
      // Its width, once laid out and when it changes (reading it as it draws would lay the
      // page out then, a second time).
      new ResizeObserver(() => { el.layers.width = settled.clientWidth; later(0); }).observe(settled);
    }
    const layers = el.layers;
    // The axes hold while the points stay within them, and grow by a tenth of their span more
    // than a new extreme needs: a live run's extremes move with many reports, and each move
    // would write every settled curve again. (A run opened when done has its exact extent.)
    const hold = (shown, [lo, hi]) => {
      if (!shown || !(shown[0] <= shown[1])) return [lo, hi];
      if (lo >= shown[0] && hi <= shown[1]) return shown;
      const margin = 0.1 * ((Math.max(hi, shown[1]) - Math.min(lo, shown[0])) || 1);
      return [lo < shown[0] ? lo - margin : shown[0], hi > shown[1] ? hi + margin : shown[1]];
    };
    layers.x = hold(layers.x, state.extent.x); layers.v = hold(layers.v, state.extent.v);
    const xs = scale(layers.x, { pad: 0.02 }), ys = scale(layers.v);
    const fr = frame({ xs, ys, xlabel: state.resource, ylabel: state.metric });
    fr.key = `${xs.lo} ${xs.hi} ${ys.lo} ${ys.hi}`;
    const signature = (t, color) => `${t.points.length} ${color}`;
    const canvas = layers.canvas, ctx = canvas.getContext('2d');
    // Draws trials on the canvas, a path per colour (one stroke each, as the SVGs do).
    const drawOnCanvas = (trials) => {
      const lines = new Map(), dots = new Map();
      for (const t of trials) {
        const d = curvePath(fr, t), color = statusColor(state, t);
        if (t.points.length === 1) {
          if (!dots.has(color)) dots.set(color, []);
          dots.get(color).push([fr.X(t.points[0][0]), clampY(fr, fr.Y(t.points[0][1]))]);
        } else lines.set(color, (lines.get(color) || '') + d);
      }
      ctx.globalAlpha = CURVE_ALPHA;
      for (const [color, d] of lines) { ctx.strokeStyle = color; ctx.stroke(new Path2D(d)); }
      ctx.globalAlpha = DOT_ALPHA;
      for (const [color, at] of dots) {
        ctx.fillStyle = color; ctx.beginPath();
        for (const [x, y] of at) { ctx.moveTo(x + 2.5, y); ctx.arc(x, y, 2.5, 0, 2 * Math.PI); }
        ctx.fill();
      }
    };
    // The canvas in device pixels, the chart's units scaled to the frame's width; sized anew
    // (which clears it), what it held is drawn again.
    const ratio = Math.max(1, window.devicePixelRatio || 1);
    const width = Math.round(layers.width * ratio), height = Math.round(width * fr.h / fr.w);
    const resized = canvas.width !== width || canvas.height !== height;
    if (resized) {
      canvas.width = width; canvas.height = height;
      ctx.setTransform(width / fr.w, 0, 0, width / fr.w, 0, 0); ctx.lineWidth = 1.2; ctx.lineJoin = 'round';
    }
    const now = performance.now();
    if (layers.key !== fr.key || (layers.stale && now - layers.at >= SETTLED_EVERY_MS)) {
      const ink = new Ink(); layers.drawn = new Map();
      for (const t of state.trials.values()) {
        if (state.statusOf(t) === 'InProgress') continue;
        const d = curvePath(fr, t); if (!d) continue;
        const color = statusColor(state, t);
        ink.line(color, d);
        if (t.points.length === 1) ink.dot(color, fr.X(t.points[0][0]), clampY(fr, fr.Y(t.points[0][1])));
        layers.drawn.set(t.id, signature(t, color));
      }
      setHtml(layers.settled, `${fr.s}${ink.svg()}</svg>`);
      ctx.clearRect(0, 0, fr.w, fr.h); layers.onCanvas = []; layers.inSvg = layers.drawn.size;
      layers.key = fr.key; layers.at = now; layers.stale = false;
    } else if (resized) {
      drawOnCanvas(layers.onCanvas);
    }
    // What settled since: onto the canvas (once it has a size: until then, the top layer).
    let stale = false;
    const newlySettled = [];
    for (const t of state.trials.values()) {
      if (state.statusOf(t) === 'InProgress') { if (layers.drawn.has(t.id)) stale = true; continue; }
      const color = statusColor(state, t), sig = signature(t, color), was = layers.drawn.get(t.id);
      if (was === sig) continue;
      if (was !== undefined) { stale = true; continue; } // drawn as it was: the top layer draws it as it is
      if (!width || !curvePath(fr, t)) continue;
      newlySettled.push(t); layers.drawn.set(t.id, sig);
    }
    drawOnCanvas(newlySettled); layers.onCanvas.push(...newlySettled);
    layers.stale = layers.stale || stale;
    const ink = new Ink();
    for (const t of state.trials.values()) {
      const color = statusColor(state, t);
      if (layers.drawn.get(t.id) === signature(t, color)) continue;
      const d = curvePath(fr, t); if (!d) continue;
      ink.line(color, d); ink.count++;
      if (t.points.length === 1) ink.dot(color, fr.X(t.points[0][0]), clampY(fr, fr.Y(t.points[0][1])));
    }
    setHtml(layers.live, `<svg viewBox="0 0 ${fr.w} ${fr.h}" role="presentation">${ink.svg()}</svg>`);
    if (layers.stale) later(SETTLED_EVERY_MS); // even if nothing else comes
    // Where each point is, for hover(): worked out when the pointer first comes (a live run's
    // curves are drawn far more often than pointed at).
    layers.settled.hits = () => {
      const hits = [];
      for (const t of state.trials.values()) {
        for (const [x, v] of t.points) if (isFinite(v)) { const px = fr.X(x), py = clampY(fr, fr.Y(v)); hits.push([px, py, px, py, t.id]); }
      }
      return hits;
    };
    layers.settled.highlight = (trial) => { const t = state.trials.get(trial); return t ? curvePath(fr, t) : ''; };
    setAttr(el, 'data-drawn', layers.drawn.size + ink.count);
    setAttr(el, 'data-layers', `${layers.inSvg || 0} ${layers.onCanvas.length} ${ink.count}`); // for the tests
  }

  function bestChart(series, { resource = 'time', metric = 'best', names = null } = {}) {
    const all = series.flatMap((s) => s.points);
    const xs = scale(all.map((p) => p[0]).concat([0], series.map((ser) => ser.end)), { pad: 0.02 }), ys = scale(all.map((p) => p[1]));
    const fr = frame({ xs, ys, xlabel: 'tuner time', ylabel: metric, xfmt: (v) => fmtDuration(v) });
    let s = fr.s;
    const colors = ['#2f6fde', '#d92d20', '#1a9e5b', '#e08a00', '#7a5af8', '#0e9384'];
    series.forEach((ser, i) => {
      if (!ser.points.length) return;
      let d = `M${fr.X(ser.points[0][0]).toFixed(1)} ${fr.Y(ser.points[0][1]).toFixed(1)}`;
      for (let j = 1; j < ser.points.length; j++) d += `H${fr.X(ser.points[j][0]).toFixed(1)}V${fr.Y(ser.points[j][1]).toFixed(1)}`;
      d += `H${fr.X(ser.end).toFixed(1)}`;
      s += `<path fill="none" stroke-width="2" stroke="${colors[i % colors.length]}" d="${d}"/>`;
    });
    s += '</svg>';
    if (names) s += `<div class="legend">${series.map((ser, i) => `<span><i class="sw${i}" data-color="${colors[i % colors.length]}"></i>${esc(ser.name)}</span>`).join('')}</div>`;
    void resource;
    return s;
  }

  function rungChart(el, state) {
    const rungs = [...state.rungs.values()].sort((a, b) => a.bracket - b.bracket || a.level - b.level);
    if (!rungs.length) { place(el, '<p class="muted">No trial has reached a rung yet.</p>'); return; }
    const ys = scale(rungs.flatMap((r) => [...r.values.values()]).concat(rungs.map((r) => r.cutoff)));
    const xs = { lo: -0.5, hi: rungs.length - 0.5, log: false, f: (v) => (v + 0.5) / rungs.length };
    const fr = frame({ xs, ys, ylabel: state.metric, xlabel: `bracket / ${state.resource} of the rung`, categories: rungs.map((r) => `b${r.bracket} · ${fmt(r.level)}`) });
    let s = fr.s;
    const ink = new Ink();
    const band = (fr.w - fr.m.l - fr.m.r) / rungs.length;
    rungs.forEach((r, i) => {
      const cx = fr.X(i); let k = 0;
      for (const [trial, v] of r.values) {
        if (!isFinite(v)) continue;
        const jitter = ((k++ * 37) % 100) / 100 - 0.5;
        const t = state.trials.get(trial);
        ink.dot(STATUS_COLOR[t ? state.statusOf(t) : 'Stopped'], cx + jitter * band * 0.6, clampY(fr, fr.Y(v)), trial); ink.count++;
      }
    });
    s += ink.svg();
    rungs.forEach((r, i) => {
      const cx = fr.X(i);
      if (isFinite(r.cutoff)) s += `<line class="cutoff" x1="${cx - band * 0.45}" x2="${cx + band * 0.45}" y1="${clampY(fr, fr.Y(r.cutoff))}" y2="${clampY(fr, fr.Y(r.cutoff))}"><title>cutoff ${esc(fmt(r.cutoff))}</title></line>`;
    });
    place(el, `${s}</svg>`, ink);
  }

  // Worker slots: each leg in the first slot free at its start (the book's figure).
  function timelineChart(el, state) {
    const legs = [];
    for (const t of state.trials.values()) for (const l of t.legs) legs.push({ trial: t.id, start: l.running ?? l.start, end: l.end ?? state.time, open: l.end === undefined, t });
    if (!legs.length) { place(el, '<p class="muted">No leg has started yet.</p>'); return; }
    legs.sort((a, b) => a.start - b.start || a.trial - b.trial);
    const free = []; let slots = 0;
    for (const l of legs) {
      let slot = free.findIndex((end) => end <= l.start + 1e-9);
      if (slot < 0) { slot = slots++; free.push(0); }
      free[slot] = l.end; l.slot = slot;
    }
    const h = Math.min(420, Math.max(120, slots * 14 + 50));
    const xs = scale(legs.map((l) => l.end).concat([0]), { pad: 0.01 });
    const ys = { lo: 0, hi: slots, log: false, f: (v) => 1 - v / slots };
    const fr = frame({ h, xs, ys, xlabel: 'tuner time', ylabel: `${slots} workers`, xfmt: (v) => fmtDuration(v) });
    const s = fr.s.replace(/<text x="\d+(\.\d+)?" y="[\d.]+" text-anchor="end">[^<]*<\/text>/g, '');
    const row = (h - fr.m.t - fr.m.b) / slots;
    const ink = new Ink();
    for (const l of legs) {
      const x0 = fr.X(l.start), x1 = Math.max(x0 + 1, fr.X(l.end)), y0 = fr.m.t + l.slot * row + 1;
      ink.box(STATUS_COLOR[l.open ? 'InProgress' : state.statusOf(l.t)], x0, y0, x1, y0 + Math.max(1, row - 2), l.trial); ink.count++;
    }
    place(el, `${s}${ink.svg()}</svg>`, ink);
  }

  // The metric (each trial's last value) against one hyperparameter.
  function hpChart(state, hp) {
    const ts = [...state.trials.values()].filter((t) => t.last !== undefined && isFinite(t.last));
    const spec = (state.config.config_space || {})[hp] || {};
    const categorical = spec.type === 'choice';
    const cats = categorical ? (spec.categories || []).map(String) : null;
    const log = /^log/.test(spec.type || '');
    const xs = categorical ? { lo: -0.5, hi: cats.length - 0.5, log: false, f: (v) => (v + 0.5) / cats.length } : scale(ts.map((t) => num(t.config[hp])), { log });
    const ys = scale(ts.map((t) => t.last));
    const fr = frame({ w: 360, h: 220, xs, ys, xlabel: hp, ylabel: state.metric, categories: cats });
    const ink = new Ink();
    for (const t of ts) {
      const xv = categorical ? cats.indexOf(String(t.config[hp])) : num(t.config[hp]);
      if (categorical ? xv < 0 : !isFinite(xv)) continue;
      ink.dot(STATUS_COLOR[state.statusOf(t)], fr.X(xv), clampY(fr, fr.Y(t.last)), t.id); ink.count++;
    }
    return { svg: `${fr.s}${ink.svg()}</svg>`, ink };
  }
  function hpCharts(el, state) {
    if (!state.hps.length) { place(el, '<p class="muted">No hyperparameter is searched.</p>'); return; }
    const charts = state.hps.map((hp) => hpChart(state, hp));
    setHtml(el, charts.map((c) => `<div class="hp">${c.svg}</div>`).join(''));
    [...el.children].forEach((child, i) => { child.hits = charts[i].ink.hits; setAttr(child, 'data-drawn', charts[i].ink.count); });
  }

  function parallelChart(el, state) {
    const ts = [...state.trials.values()].filter((t) => t.last !== undefined && isFinite(t.last));
    if (!ts.length || !state.hps.length) { place(el, '<p class="muted">No results yet.</p>'); return; }
    const space = state.config.config_space || {};
    const axes = state.hps.map((hp) => {
      const spec = space[hp] || {};
      if (spec.type === 'choice') { const cats = (spec.categories || []).map(String); return { name: hp, f: (c) => (cats.indexOf(String(c)) + 0.5) / Math.max(1, cats.length), label: (lo) => (lo ? cats[0] : cats[cats.length - 1]) }; }
      const sc = scale(ts.map((t) => num(t.config[hp])), { log: /^log/.test(spec.type || ''), pad: 0 });
      return { name: hp, f: (v) => sc.f(num(v)), label: (lo) => fmt(sc.log ? Math.pow(10, lo ? sc.lo : sc.hi) : lo ? sc.lo : sc.hi) };
    });
    const ms = scale(ts.map((t) => t.last), { pad: 0 });
    axes.push({ name: state.metric, f: (v) => ms.f(v), metric: true, label: (lo) => fmt(lo ? ms.lo : ms.hi) });
    const w = 1200, h = 300, top = 24, bottom = 30;
    const X = (i) => 70 + i * (w - 190) / Math.max(1, axes.length - 1), Y = (f) => h - bottom - Math.max(0, Math.min(1, f)) * (h - top - bottom);
    // Twelve shades from bad (red) to good (green); the best drawn last, on top.
    const shades = Array.from({ length: 12 }, (_, i) => `hsl(${Math.round((i / 11) * 130)},70%,42%)`);
    const ink = new Ink(shades);
    const pathOf = (t) => { let d = ''; axes.forEach((a, i) => { const v = a.metric ? t.last : t.config[a.name]; d += `${d ? 'L' : 'M'}${X(i).toFixed(1)} ${Y(a.f(v)).toFixed(1)}`; }); return d; };
    for (const t of ts) {
      const f = ms.f(t.last), good = state.mode === 'max' ? f : 1 - f;
      ink.line(shades[Math.max(0, Math.min(11, Math.round(good * 11)))], pathOf(t)); ink.count++;
      axes.forEach((a, i) => ink.hit(X(i), Y(a.f(a.metric ? t.last : t.config[a.name])), t.id));
    }
    // Faint lines only when there are many (they add up); a few are drawn plainly.
    let s = `<svg viewBox="0 0 ${w} ${h}" role="img" class="pc${ts.length < 300 ? ' few' : ''}">${ink.svg()}`;
    axes.forEach((a, i) => {
      s += `<line class="axis" x1="${X(i)}" x2="${X(i)}" y1="${top}" y2="${h - bottom}"/><text x="${X(i)}" y="14" text-anchor="middle">${esc(a.name)}</text>`;
      s += `<text x="${X(i) + 4}" y="${h - bottom + 14}">${esc(a.label(true))}</text><text x="${X(i) + 4}" y="${top + 10}">${esc(a.label(false))}</text>`;
    });
    place(el, `${s}</svg>`, ink, (trial) => { const t = state.trials.get(trial); return t ? pathOf(t) : ''; });
  }

  // A reason as table cells: the journal's own fields.
  const REASON = { quantile: 'stopping quantile', paused: 'promotion (paused)', promoted: 'promoted', milestone: 'milestone', round_end: 'round end', max_t: 'max_t reached', run_ending: 'the run ended', pasha_paused: 'PASHA (paused)', pasha_top: 'PASHA top rung (paused)', pasha_promoted: 'PASHA promoted' };
  // The rung's cutoff; under several objectives (MO-ASHA) the trial's front there instead, and how
  // far from feasible it was.
  const limitOf = (why) => [why.cutoff !== undefined ? fmt(why.cutoff) : why.front !== undefined ? `front ${fmt(why.front)}` : '',
    why.violation !== undefined ? `violation ${fmt(why.violation)}` : ''].filter(Boolean).join(', ');
  const reasonCells = (why) => why
    ? `<td>${esc(REASON[why.rule] || why.rule)}</td><td class="num">${esc(fmt(why.bracket))}</td><td class="num">${esc(fmt(why.level))}</td><td class="num">${esc(fmt(why.value))}</td><td class="num">${why.better !== undefined ? `${esc(fmt(why.better))} of ${esc(fmt(why.of))}` : ''}</td><td class="num">${why.top !== undefined ? esc(fmt(why.top)) : ''}</td><td class="num">${esc(limitOf(why))}</td>`
    : '<td colspan="7" class="muted">(a journal without reasons)</td>';
  // A PASHA raise in the decision log: one cell across the reason's columns.
  const raiseCells = (x, resource) => `<td colspan="7">PASHA raised its top rung to ${esc(resource)} ${esc(fmt(x.level))}: at ${esc(resource)} ${esc(fmt(x.compared))} trial ${esc(fmt(x.trial))} ranks at place ${esc(fmt(num(x.place) + 1))}, outside its group one rung below (values within ε ${esc(fmt(x.epsilon))})</td>`;
  const REASON_HEAD = '<th>rule</th><th class="num">bracket</th><th class="num">rung</th><th class="num">value</th><th class="num">better</th><th class="num">top</th><th class="num">cutoff / front</th>';

  // Several objectives: every feasible full-fidelity result, the Pareto front drawn as a
  // staircase through its points (two objectives), and the front as a table (any number).
  function frontView(el, table, note, state, runName) {
    const f = state.front(), o = state.objectives, n = state.full.length;
    probe.front = { run: state.name, trials: f.front.map((p) => p.trial), hypervolume: f.hypervolume, reference: f.reference, results: n };
    const at = `${esc(state.resource)} ${esc(fmt(state.maxT))}`;
    setHtml(note, n ? `${f.front.length} of the ${n} feasible results at ${at} are on the front` + (o.length === 2 ? ' (red; grey: the others)' : '') : '');
    if (!n) { place(el, `<p class="muted">No feasible result has reached ${state.maxT !== undefined ? at : 'the end'} yet.</p>`); setHtml(table, ''); return; }
    if (o.length === 2) {
      const label = (k) => `${o[k].name} (${o[k].mode})`;
      const fr = frame({ xs: scale(state.full.map((p) => p.values[0])), ys: scale(state.full.map((p) => p.values[1])), xlabel: label(0), ylabel: label(1) });
      const ink = new Ink(['#98a2b3', '#d92d20']);
      const step = Math.max(1, Math.floor(n / 2000)); // an even sample of a very large run
      for (let i = 0; i < n; i += step) ink.dot('#98a2b3', fr.X(state.full[i].values[0]), fr.Y(state.full[i].values[1]), state.full[i].trial);
      let stairs = '';
      f.front.forEach((p, i) => {
        const x = fr.X(p.values[0]).toFixed(1), y = fr.Y(p.values[1]).toFixed(1);
        stairs += i ? `H${x}V${y}` : `M${x} ${y}`;
        ink.dot('#d92d20', fr.X(p.values[0]), fr.Y(p.values[1]), p.trial);
      });
      ink.line('#d92d20', stairs); ink.count = n;
      place(el, `${fr.s}${ink.svg()}</svg>`, ink);
    } else {
      place(el, `<p class="muted">${o.length} objectives: the front is the table beside this (a scatter needs two).</p>`);
    }
    const ROWS = 30;
    setHtml(table, `<thead><tr><th class="num">trial</th>${o.map((x) => `<th class="num">${esc(x.name)}</th>`).join('')}${state.hps.map((hp) => `<th class="num">${esc(hp)}</th>`).join('')}</tr></thead><tbody>` +
      f.front.slice(0, ROWS).map((p) => { const t = state.trials.get(p.trial) || { config: {} };
        return `<tr><td class="num"><a href="${esc(trialHref(runName, p.trial))}">${p.trial}</a></td>${p.values.map((v) => `<td class="num">${esc(fmt(v))}</td>`).join('')}${state.hps.map((hp) => `<td class="num">${esc(fmt(t.config[hp]))}</td>`).join('')}</tr>`; }).join('') +
      (f.front.length > ROWS ? `<tr><td colspan="${1 + o.length + state.hps.length}" class="muted">… and ${f.front.length - ROWS} more (pareto.json)</td></tr>` : '') + '</tbody>');
  }

  // Hover: the trial nearest the pointer in any chart that placed its hits; its config in a tip,
  // its curve drawn out; a click opens its page.
  function hover(root, state) {
    const tip = $('tip');
    const nearest = (e) => {
      const svg = e.target.closest && e.target.closest('svg');
      const holder = svg && svg.parentElement;
      if (holder && typeof holder.hits === 'function') holder.hits = holder.hits();
      if (!svg || !holder || !holder.hits || !holder.hits.length) return null;
      const pt = svg.createSVGPoint(); pt.x = e.clientX; pt.y = e.clientY;
      const at = pt.matrixTransform(svg.getScreenCTM().inverse());
      let best = null, bestD = 100; // within 10 units
      for (const [x0, y0, x1, y1, trial] of holder.hits) {
        const dx = Math.max(0, x0 - at.x, at.x - x1), dy = Math.max(0, y0 - at.y, at.y - y1), d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = trial; }
      }
      return best === null ? null : { svg, holder, trial: best };
    };
    let lit = null;
    const unlight = () => { if (lit) { lit.remove(); lit = null; } };
    root.onmousemove = (e) => {
      const found = nearest(e);
      const t = found && state.trials.get(found.trial);
      unlight();
      if (!t) { tip.hidden = true; return; }
      tip.textContent = configText(state, t); tip.hidden = false;
      tip.style.left = `${Math.min(window.innerWidth - 300, e.clientX + 14)}px`; tip.style.top = `${e.clientY + 14}px`;
      const d = found.holder.highlight && found.holder.highlight(found.trial);
      if (d) { lit = document.createElementNS('http://www.w3.org/2000/svg', 'path'); lit.setAttribute('class', 'hi'); lit.setAttribute('d', d); found.svg.appendChild(lit); }
    };
    root.onmouseleave = () => { tip.hidden = true; unlight(); };
    return (e) => { const found = nearest(e); return found ? found.trial : null; };
  }

  // ---- the views ----
  let current = null; // the open view: { close() }
  const crumbs = (parts) => { $('crumbs').innerHTML = parts.map(([text, href]) => (href ? `<a href="${href}">${esc(text)}</a>` : `<span>${esc(text)}</span>`)).join(' / '); };

  function runsView() {
    probe.view = 'runs'; crumbs([['runs', '#/']]);
    const view = $('view');
    view.innerHTML = '<div class="toolbar"><h1>Runs</h1><button id="compare" disabled>Compare selected</button><span class="muted small">Every run directory found under the served directories; new ones appear here.</span></div><section><div class="scroll"><table id="runs"></table></div></section>';
    const chosen = new Set();
    const es = new EventSource('/api/runs/events');
    es.onopen = () => live(true, 'live'); es.onerror = () => live(false, 'reconnecting…');
    let runs = [];
    const paint = () => {
      let rows = '<thead><tr><th></th><th>run</th><th>state</th><th class="num">best</th><th class="num">trials</th><th>by status</th><th class="num">utilisation</th><th>started</th></tr></thead><tbody>';
      if (!runs.length) rows += '<tr><td colspan="8" class="muted">No run here yet: start one, e.g. <kbd>asha-tune --config configs/quick.json</kbd></td></tr>';
      for (const r of runs) {
        const st = r.status || {};
        const c = st.trials || {};
        rows += `<tr><td><input type="checkbox" data-name="${esc(r.name)}" ${chosen.has(r.name) ? 'checked' : ''}></td>` +
          `<td><a href="${esc(runHref(r.name))}">${esc(r.name)}</a></td>` +
          (r.error ? `<td colspan="6"><span class="pill error">unreadable</span> <span class="muted">${esc(r.error)}</span></td>`
            : `<td>${pill(st.state)}</td><td class="num">${st.best ? `${esc(fmt(st.best.value))} <span class="muted small">(trial ${esc(st.best.trial_id)})</span>` : st.front ? `${st.front.length} on the Pareto front` : ''}</td>` +
              `<td class="num">${esc(c.started)}</td><td class="small">${['running', 'completed', 'stopped', 'paused', 'failed'].filter((k) => c[k]).map((k) => `${esc(c[k])} ${k}`).join(', ')}</td>` +
              `<td class="num">${esc(fmt(Math.round(st.utilisation * 1000) / 10))} %</td><td class="small">${esc(r.start_time || '')}</td>`) + '</tr>';
      }
      setHtml($('runs'), `${rows}</tbody>`);
      probe.renders++;
    };
    const redraw = throttle(paint); // a run's counts change with each event: twice a second is plenty
    es.addEventListener('runs', (e) => { runs = JSON.parse(e.data); probe.runs = runs; redraw(); });
    $('view').onchange = (e) => {
      const name = e.target.dataset && e.target.dataset.name; if (name === undefined) return;
      if (e.target.checked) chosen.add(name); else chosen.delete(name);
      $('compare').disabled = chosen.size < 2;
    };
    $('compare').onclick = () => { location.hash = `#/compare/${[...chosen].map(encodeURIComponent).join(',')}`; };
    return { close: () => { redraw.stop(); es.close(); } };
  }

  function runView(name) {
    probe.view = 'run'; crumbs([['runs', '#/'], [name, runHref(name)]]);
    const state = new RunState(name);
    const view = $('view');
    const sort = { key: 'id', dir: 1 }; let filter = ''; let tablePage = 0; const ROWS = 100;
    view.innerHTML = `<h1>${esc(name)}</h1><div id="sub" class="muted small"></div><div id="warn"></div><div class="cards" id="cards"></div>
      <section class="row" id="frontsec" hidden><div class="toolbar"><h2>Pareto front</h2><span id="frontnote" class="muted small"></span></div><div class="grid2"><div id="front"></div><div class="scroll"><table id="fronttable"></table></div></div></section>
      <section class="row"><div class="toolbar"><h2>Trials</h2><input type="search" id="filter" placeholder="filter: status, trial, value…"><button id="prev" title="previous rows">‹</button><span id="shown" class="muted small"></span><button id="next" title="next rows">›</button></div><div class="scroll"><table id="trials"></table></div></section>
      <div class="grid2 row"><section><h2>Learning curves</h2><div class="legend small">${Object.entries(STATUS_COLOR).map(([k, c]) => `<span><i data-color="${c}"></i>${k === 'InProgress' ? 'running' : k}</span>`).join('')}</div><div id="curves"></div></section>
      <section><h2 id="besthead">Best so far</h2><div id="best"></div></section>
      <section><h2>Rungs <span class="muted small">(every value at each rung; dashed: the cutoff of its latest decision)</span></h2><div id="rungs"></div></section>
      <section><h2>Workers</h2><div id="timeline"></div></section></div>
      <section class="row"><h2 id="hphead">The metric against each hyperparameter</h2><div id="hps" class="grid3"></div></section>
      <section class="row"><h2>Parallel coordinates</h2><div id="parallel"></div></section>
      <section class="row"><div class="toolbar"><h2>Decisions</h2><span class="muted small">newest first; each with the scheduler's reason, as journaled</span></div><div class="scroll"><table id="log"></table></div></section>`;
    view.classList.add('unfilled'); // (dashboard.css)
    let closed = false; // a timer or observer of this view may still fire once it is closed
    const paint = () => {
      if (closed) return; // (its sections' ids are the next view's now)
      const t0 = performance.now();
      view.classList.remove('unfilled');
      probe.renders++;
      // Colour swatches: set through the DOM (the page's policy allows no inline styles).
      for (const el of view.querySelectorAll('i[data-color]')) el.style.background = el.dataset.color;
      const parts = {}; probe.paintParts = parts;
      // Only what can be seen is drawn (a live run with many workers would spend the page's
      // time on charts below the fold); the rest when it is scrolled to. The counts, the table
      // and the learning curves (where a new report shows) are drawn as often as the page can;
      // the charts that explain the run at most once a second, and less often when they take
      // long (ten times their own time), so that a large live run leaves the page its time.
      const part = (label, draw) => {
        if (!onScreen.has(label)) { stale.add(label); return; }
        const t = performance.now();
        if (t < (due.get(label) || 0)) { stale.add(label); later(due.get(label) - t); return; }
        stale.delete(label);
        draw(); const took = performance.now() - t; parts[label] = Math.round(took);
        if (!EVERY_TIME.has(label)) due.set(label, t + took + Math.max(1000, 10 * took));
        const sum = probe.partsMs || (probe.partsMs = {}); sum[label] = (sum[label] || 0) + parts[label];
      };
      const c = state.counts(); const cfg = state.config; const sched = cfg.scheduler || {};
      setText($('sub'), state.missing ? `No run called ${name} is served (yet): this page follows it as soon as it appears.` : state.header ? `${cfg.name || ''} · ${sched.type || 'asha'}${sched.variant && (sched.type || 'asha') === 'asha' ? ` (${sched.variant})` : ''} · ${state.multi ? state.objectives.map((o) => `${o.mode} ${o.name}`).join(', ') : `${state.mode} ${state.metric}`}${state.constraints.length ? ` subject to ${state.constraints.map((x) => `${x.name} in [${fmt(x.min)}, ${fmt(x.max)}]`).join(', ')}` : ''} over ${state.resource} · ${cfg.workers || 1} workers · ${state.header.backend || ''}` : 'waiting for the run…');
      setHtml($('warn'), (state.gone ? '<div class="warn">This run directory was deleted; what is shown is what was read before.</div>' : '') +
        (state.bad ? `<div class="warn">${state.bad} journal line(s) could not be read and were skipped.</div>` : ''));
      const stateText = state.finished ? 'finished' : state.ended ? 'ending' : 'running';
      const front = state.multi ? state.front() : null;
      const bestCards = front ? [['on the front', front.front.length], ['hypervolume', front.steps.length ? fmt(front.hypervolume) : '–']]
        : [['best', state.bestValue !== undefined ? fmt(state.bestValue) : '–'], ['best trial', state.bestTrial ?? '–']];
      const pasha = (cfg.scheduler || {}).type === 'pasha'
        ? [['PASHA top', `${state.resource} ${fmt(state.pashaTop())}${state.maxT !== undefined && state.pashaTop() < state.maxT ? ` of ${fmt(state.maxT)}` : ''}`],
          ['raises', state.raises.length ? `${state.raises.length}, ε ${fmt(state.raises[state.raises.length - 1].epsilon)}` : 'none yet']]
        : [];
      const cards = [['state', stateText], ...bestCards, ...pasha, ['trials', state.trials.size],
        ['running', c.InProgress], ['completed', c.Completed], ['stopped', c.Stopped], ['paused', c.Paused], ['failed', c.Failed], ['tuner time', fmtDuration(state.time)]];
      setHtml($('cards'), cards.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('') +
        (state.finished ? `<div class="card"><div class="k">stopped because</div><div class="small">${esc(state.finished.reason || '')}</div></div>` : ''));
      // The status table: sortable, filterable; a page of 100 rows at a time (a long table is
      // laid out again on every drawing).
      const cols = [['id', 'trial', (t) => t.id], ['status', 'status', (t) => state.statusOf(t)], ['bracket', 'bracket', (t) => t.bracket], ['legs', 'legs', (t) => t.legs.length],
        ['reports', 'reports', (t) => t.points.length], ['res', state.resource, (t) => t.maxResource], ['last', state.metric, (t) => t.last]]
        .concat(state.hps.map((hp) => [`hp:${hp}`, hp, (t) => t.config[hp]]));
      part('table', () => {
      const col = cols.find((x) => x[0] === sort.key) || cols[0];
      let ts = [...state.trials.values()];
      if (filter) { const f = filter.toLowerCase(); ts = ts.filter((t) => cols.some(([, , get]) => String(fmt(get(t))).toLowerCase().includes(f) || (get === cols[1][2] && String(get(t)).toLowerCase().includes(f)))); }
      ts.sort((a, b) => { const x = col[2](a), y = col[2](b); const nx = num(x), ny = num(y); const r = isFinite(nx) && isFinite(ny) ? nx - ny : String(x ?? '').localeCompare(String(y ?? '')); return r * sort.dir || a.id - b.id; });
      const pages = Math.max(1, Math.ceil(ts.length / ROWS)); tablePage = Math.min(tablePage, pages - 1);
      const from = tablePage * ROWS, shown = ts.slice(from, from + ROWS);
      setText($('shown'), ts.length ? `${from + 1}–${from + shown.length} of ${ts.length}${ts.length < state.trials.size ? ` matching (${state.trials.size} trials)` : ' trials'}` : `none of ${state.trials.size} trials`);
      if ($('prev').disabled !== (tablePage === 0)) $('prev').disabled = tablePage === 0;
      if ($('next').disabled !== (tablePage >= pages - 1)) $('next').disabled = tablePage >= pages - 1;
      setHtml($('trials'), `<thead><tr>${cols.map(([k, label]) => `<th class="sort${k === 'status' ? '' : ' num'}" data-key="${esc(k)}">${esc(label)}${k === sort.key ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''}</th>`).join('')}</tr></thead><tbody>` +
        shown.map((t) => `<tr><td class="num"><a href="${esc(trialHref(name, t.id))}">${t.id}</a></td><td>${pill(state.statusOf(t))}</td><td class="num">${t.bracket}</td><td class="num">${t.legs.length}</td><td class="num">${t.points.length}</td><td class="num">${esc(fmt(t.maxResource))}</td><td class="num">${esc(fmt(t.last))}</td>${state.hps.map((hp) => `<td class="num" title="${esc(t.config[hp])}">${esc(fmt(t.config[hp]))}</td>`).join('')}</tr>`).join('') + '</tbody>');
      });
      part('curves', () => runCurves($('curves'), state, later));
      $('frontsec').hidden = !front;
      setText($('besthead'), front ? 'Hypervolume so far' : 'Best so far');
      if (front) part('front', () => frontView($('front'), $('fronttable'), $('frontnote'), state, name));
      part('best', () => setHtml($('best'), front
        ? bestChart([{ name, points: front.steps, end: state.time }], { metric: 'hypervolume' }) +
          `<div class="muted small">Reference point (${front.reference.map(fmt).join(', ')}): the worst full-fidelity value of each objective.</div>`
        : bestChart([{ name, points: state.best, end: state.time }], { metric: `best ${state.metric}` })));
      part('rungs', () => rungChart($('rungs'), state));
      part('timeline', () => timelineChart($('timeline'), state));
      setText($('hphead'), `${state.metric} against each hyperparameter (each trial's last value)`);
      part('hps', () => hpCharts($('hps'), state));
      part('parallel', () => parallelChart($('parallel'), state));
      part('log', () => {
      const log = state.log.slice(-400).reverse();
      setHtml($('log'), `<thead><tr><th class="num">time</th><th class="num">trial</th><th>decision</th><th class="num">${esc(state.resource)}</th>${REASON_HEAD}</tr></thead><tbody>` +
        log.map((d) => `<tr><td class="num">${esc(fmtDuration(d.time))}</td><td class="num"><a href="${esc(trialHref(name, d.trial))}">${d.trial}</a></td><td class="dec-${esc(d.decision)}">${esc(d.decision)}</td><td class="num">${esc(fmt(d.resource))}</td>${d.raised ? raiseCells(d.raised, state.resource) : reasonCells(d.why)}</tr>`).join('') + '</tbody>');
      });
      // What a latency benchmark reads: when each report was drawn.
      probe.paintMs = performance.now() - t0;
      noteDrawn(state);
    };
    const redraw = throttle(paint);
    const EVERY_TIME = new Set(['table', 'curves']), due = new Map();
    let laterTimer = 0;
    const later = (ms) => { if (!laterTimer) laterTimer = setTimeout(() => { laterTimer = 0; redraw(); }, ms); };
    const SECTIONS = { front: 'front', table: 'trials', curves: 'curves', best: 'best', rungs: 'rungs', timeline: 'timeline', hps: 'hps', parallel: 'parallel', log: 'log' };
    const onScreen = new Set(Object.keys(SECTIONS)), stale = new Set(); // all, until the observer says
    const observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const label = e.target.dataset.part;
        if (e.isIntersecting) { onScreen.add(label); if (stale.has(label)) redraw.now(); } else onScreen.delete(label);
      }
    }, { rootMargin: '300px' });
    for (const [label, id] of Object.entries(SECTIONS)) { const sec = $(id).closest('section'); sec.dataset.part = label; observer.observe(sec); }
    const es = follow(state, redraw);
    $('filter').oninput = (e) => { filter = e.target.value.trim(); tablePage = 0; redraw.now(); };
    $('prev').onclick = () => { tablePage = Math.max(0, tablePage - 1); redraw.now(); };
    $('next').onclick = () => { tablePage++; redraw.now(); };
    const pick = hover(view, state);
    view.onclick = (e) => {
      const th = e.target.closest && e.target.closest('th.sort');
      if (th) { if (sort.key === th.dataset.key) sort.dir = -sort.dir; else { sort.key = th.dataset.key; sort.dir = 1; } redraw.now(); return; }
      const trial = pick(e);
      if (trial !== null) location.hash = trialHref(name, trial);
    };
    return { close: () => { closed = true; view.classList.remove('unfilled'); es.close(); observer.disconnect(); clearTimeout(laterTimer); } };
  }

  function trialView(name, id) {
    probe.view = 'trial'; crumbs([['runs', '#/'], [name, runHref(name)], [`trial ${id}`, trialHref(name, id)]]);
    const state = new RunState(name);
    const view = $('view');
    view.innerHTML = `<h1>Trial ${id} <span id="tstatus"></span></h1><div class="muted small">of <a href="${esc(runHref(name))}">${esc(name)}</a></div>
      <div class="grid2 row"><section><h2>Configuration</h2><table id="tconfig"></table></section><section><h2>Learning curve</h2><div id="tcurve"></div></section></div>
      <section class="row"><h2>Decisions <span class="muted small">(what <kbd>asha-tune why</kbd> says)</span></h2><div class="scroll"><table id="tdecisions"></table></div></section>
      <section class="row"><h2>Legs</h2><table id="tlegs"></table></section>
      <div class="grid2 row"><section><h2>stdout <span class="muted small">(its last 64 KiB)</span></h2><pre id="tstdout"></pre></section><section><h2>stderr</h2><pre id="tstderr"></pre></section></div>`;
    let story = null, busy = false, again = false, seen = -1, closed = false;
    const q = `run=${encodeURIComponent(name)}&trial=${id}`;
    const load = () => {
      if (busy) { again = true; return; }
      busy = true;
      Promise.all([
        fetch(`/api/trial?${q}`).then((r) => r.json()),
        fetch(`/api/trial/output?${q}&stream=stdout`).then((r) => r.text()),
        fetch(`/api/trial/output?${q}&stream=stderr`).then((r) => r.text()),
      ]).then(([s, out, err]) => {
        story = s;
        const atEnd = (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        for (const [el, text] of [[$('tstdout'), out], [$('tstderr'), err]]) { const stick = atEnd(el); el.textContent = text || '(nothing written)'; if (stick) el.scrollTop = el.scrollHeight; }
        paint();
      }).catch(() => {}).finally(() => { busy = false; if (again) { again = false; load(); } });
    };
    const paint = () => {
      if (closed) return; // (its fetches may come back after it closed)
      probe.renders++;
      const t = state.trials.get(id);
      if (story && story.error) { setHtml($('tconfig'), `<tr><td>${esc(story.error)}</td></tr>`); return; }
      if (!story || !story.story) return;
      const st = story.story;
      setHtml($('tstatus'), pill(t && !state.finished ? state.statusOf(t) : story.status));
      setHtml($('tconfig'), Object.entries(st.config || {}).map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num" title="${esc(v)}">${esc(fmt(v))}</td></tr>`).join('') +
        `<tr><th>bracket</th><td class="num">${esc(st.bracket)}</td></tr><tr><th>reports</th><td class="num">${esc(st.reports)}</td></tr>`);
      if (t) curvesChart($('tcurve'), state, t, t.decisions);
      setHtml($('tdecisions'), `<thead><tr><th class="num">time</th><th class="num">${esc(state.resource)}</th><th class="num">${esc(state.metric)}</th><th>decision</th><th>why</th></tr></thead><tbody>` +
        (st.decisions || []).map((d) => `<tr><td class="num">${esc(fmtDuration(d.time))}</td><td class="num">${esc(fmt(d.resource))}</td><td class="num">${esc(fmt(d.metric))}</td><td class="dec-${esc(d.decision)}">${esc(d.decision)}</td><td class="why">${esc(d.explanation || '')}</td></tr>`).join('') + '</tbody>');
      setHtml($('tlegs'), '<thead><tr><th class="num">leg</th><th>kind</th><th class="num">start</th><th class="num">milestone</th><th class="num">end</th><th class="num">exit</th><th>why it started</th></tr></thead><tbody>' +
        (st.legs || []).map((l) => `<tr><td class="num">${esc(l.leg)}</td><td>${esc(l.kind)}</td><td class="num">${esc(fmtDuration(l.start))}</td><td class="num">${esc(fmt(l.milestone))}</td><td class="num">${l.end ? esc(fmtDuration(l.end.time)) : '<span class="pill InProgress">running</span>'}</td><td class="num">${l.end ? esc(l.end.signal ? `signal ${l.end.signal}` : l.end.exit_code) : ''}${l.end && l.end.stopped_by_tuner ? ' <span class="muted small">(stopped by the tuner)</span>' : ''}</td><td class="small">${esc(l.explanation || '')}</td></tr>`).join('') + '</tbody>');
    };
    const update = throttle(() => {
      const t = state.trials.get(id);
      const n = t ? t.points.length + t.legs.length * 1000 + (t.legs.length && t.legs[t.legs.length - 1].end !== undefined ? 1e6 : 0) : 0;
      if (n !== seen) { seen = n; load(); } else paint();
    });
    const es = follow(state, update);
    hover(view, state);
    return { close: () => { closed = true; update.stop(); es.close(); } };
  }

  function compareView(names) {
    probe.view = 'compare'; crumbs([['runs', '#/'], ['compare', location.hash]]);
    names = names.slice(0, 4); // each run is one stream; a browser opens at most 6 per server
    const view = $('view');
    view.innerHTML = `<h1>Compare</h1><div class="muted small">${names.map((n) => `<a href="${esc(runHref(n))}">${esc(n)}</a>`).join(' · ')}</div><section class="row"><h2>Best so far, on one time axis</h2><div id="cmp"></div></section><section><table id="cmptable"></table></section>`;
    const states = names.map((n) => new RunState(n));
    const paint = () => {
      probe.renders++;
      setHtml($('cmp'), bestChart(states.map((s) => ({ name: s.name, points: s.best, end: s.time })), { metric: states[0].metric, names: true }));
      for (const el of view.querySelectorAll('i[data-color]')) el.style.background = el.dataset.color;
      setHtml($('cmptable'), '<thead><tr><th>run</th><th class="num">best</th><th class="num">trial</th><th class="num">trials</th><th class="num">tuner time</th></tr></thead><tbody>' +
        states.map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${esc(fmt(s.bestValue))}</td><td class="num">${esc(s.bestTrial ?? '')}</td><td class="num">${s.trials.size}</td><td class="num">${esc(fmtDuration(s.time))}</td></tr>`).join('') + '</tbody>');
      states.forEach(noteDrawn);
    };
    const redraw = throttle(paint);
    const streams = states.map((s) => follow(s, redraw));
    return { close: () => { redraw.stop(); streams.forEach((es) => es.close()); } };
  }

  function route() {
    if (current) current.close();
    Object.assign(probe, { reports: 0, decisions: [], latencies: [], finished: false, renders: 0, runs: [] });
    $('tip').hidden = true;
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    try {
      if (parts[0] === 'run' && parts[1]) {
        const name = decodeURIComponent(parts[1]);
        current = parts[2] === 'trial' && /^\d+$/.test(parts[3] || '') ? trialView(name, Number(parts[3])) : runView(name);
      } else if (parts[0] === 'compare' && parts[1]) {
        current = compareView(parts[1].split(',').map(decodeURIComponent));
      } else {
        current = runsView();
      }
    } catch (err) {
      $('view').innerHTML = `<div class="warn">${esc(err.message)}</div>`;
      current = null;
    }
  }
  window.addEventListener('hashchange', route);
  route();
})();
