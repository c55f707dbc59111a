// portsim serve: the web app's only script, served from the binary
// (src/serve/static/app.js). It adds to the plain pages: live validation
// and saving in the editor, starting and cancelling jobs, and progress
// from the server-sent event stream. It talks to this server only.
'use strict';

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (_) { data = { error: res.statusText }; }
  return { status: res.status, data };
}

function text(el, value) { if (el) el.textContent = value; }

// ---- the editor
function editor() {
  const box = document.getElementById('editor');
  if (!box) return;
  const file = box.dataset.file;
  const source = document.getElementById('source');
  const gutter = document.getElementById('gutter');
  const list = document.getElementById('diagnostics');
  const status = document.getElementById('status');
  let timer = null;
  let bad = new Map();

  function fit() {
    source.style.height = 'auto';
    source.style.height = source.scrollHeight + 'px';
  }
  function drawGutter() {
    const n = source.value.split('\n').length;
    gutter.replaceChildren();
    for (let i = 1; i <= n; i++) {
      const line = document.createElement('span');
      line.textContent = String(i);
      line.dataset.line = String(i);
      if (bad.has(i)) { line.className = 'bad'; line.title = bad.get(i); }
      gutter.append(line, '\n');
    }
  }
  // Selects line `n` in the editor and scrolls it into view.
  function goTo(n) {
    const lines = source.value.split('\n');
    const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
    source.focus();
    source.setSelectionRange(start, start + (lines[n - 1] || '').length);
    box.scrollTop = Math.max(0, (n - 4) * 20);
  }
  function show(diagnostics) {
    bad = new Map();
    list.replaceChildren();
    for (const d of diagnostics) {
      if (d.line && (d.file === file || !d.file)) bad.set(d.line, d.message);
      const li = document.createElement('li');
      li.className = 'diagnostic';
      if (d.line) li.dataset.line = String(d.line);
      const head = document.createElement('strong');
      head.textContent = (d.line ? `${d.file}:${d.line}:${d.column}: ` : '') + d.message +
        (d.label ? ` (${d.label})` : '');
      const pre = document.createElement('pre');
      pre.textContent = d.rendered;
      li.append(head, pre);
      if (d.line && d.file === file) li.addEventListener('click', () => goTo(d.line));
      list.append(li);
    }
    drawGutter();
    status.className = diagnostics.length ? 'bad' : 'ok';
    text(status, diagnostics.length ? `${diagnostics.length} problem(s)` : 'valid');
  }
  async function validate() {
    const { status: code, data } = await post('/api/validate', { file, text: source.value });
    if (code === 200) show(data.diagnostics);
    else { status.className = 'bad'; text(status, data.error || `error ${code}`); }
  }
  source.addEventListener('input', () => {
    fit(); drawGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 250);
  });
  document.getElementById('save').addEventListener('click', async () => {
    const sent = source.value;
    const { status: code, data } = await post('/api/save', { file, text: sent });
    if (code === 200) { show(data.diagnostics); text(status, 'saved' + (data.diagnostics.length ? `, ${data.diagnostics.length} problem(s)` : '')); box.dispatchEvent(new CustomEvent('saved', { detail: sent })); }
    else { status.className = 'bad'; text(status, data.error || `error ${code}`); }
  });
  fit(); drawGutter(); validate();
}

// ---- jobs: start, progress, cancel
function jobs() {
  const form = document.getElementById('job-form');
  if (!form) return;
  const kind = form.dataset.kind;
  const cancel = document.getElementById('cancel');
  const start = document.getElementById('start');
  const bar = document.getElementById('bar');
  const label = document.getElementById('progress-text');
  const error = document.getElementById('error');
  const result = document.getElementById('result');
  const link = document.getElementById('result-link');
  let job = null;

  function done(runId) {
    bar.value = bar.max;
    link.href = `/runs/${runId}`;
    result.hidden = false;
    cancel.disabled = true; start.disabled = false;
  }
  function fail(message) {
    error.hidden = false; text(error, message);
    cancel.disabled = true; start.disabled = false;
  }
  function watch(id) {
    const events = new EventSource(`/api/jobs/${id}/events`);
    events.addEventListener('progress', (e) => {
      const p = JSON.parse(e.data);
      bar.max = p.total; bar.value = p.done;
      const pct = p.total ? Math.round(100 * p.done / p.total) : 0;
      let line = `${p.state}: ${p.done} of ${p.total} replications (${pct}%)`;
      if (p.points !== null && p.points !== undefined) {
        const of = p.points_total === null ? '' : ` of ${p.points_total}`;
        const what = p.kind === 'plan' ? 'looks' : p.kind === 'sensitivity' ? 'settings' : 'points';
        line = `${p.state}: ${p.points}${of} ${what} done, ${p.done} of ${p.total} units (${pct}%)`;
      }
      if (p.half_width !== null && p.half_width !== undefined) {
        line += `, time in port ±${(p.half_width / 60).toFixed(1)} min (95%)`;
      }
      text(label, line);
      label.dataset.state = p.state;
      if (p.state === 'done') { events.close(); done(p.run_id); }
      else if (p.state === 'cancelled') { events.close(); fail('cancelled: nothing was stored'); }
      else if (p.state === 'failed') { events.close(); fail(p.message || 'the run failed'); }
    });
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true; result.hidden = true;
    const data = new FormData(form);
    const body = {
      kind,
      files: data.getAll('file'),
      seed: data.get('seed') === '' ? null : Number(data.get('seed')),
      replications: data.get('replications') === '' ? null : Number(data.get('replications')),
    };
    start.disabled = true;
    const { status, data: reply } = await post('/api/jobs', body);
    document.getElementById('progress').hidden = false;
    if (status === 200 && reply.stored) {
      text(label, `stored result (run ${reply.run_id.slice(0, 12)}), not run again`);
      label.dataset.state = 'done';
      done(reply.run_id);
    } else if (status === 202) {
      job = reply.job;
      cancel.disabled = false;
      watch(job);
    } else {
      const lines = (reply.diagnostics || []).map((d) => d.rendered).join('\n\n');
      fail((reply.error || `error ${status}`) + (lines ? '\n' + lines : ''));
    }
  });
  cancel.addEventListener('click', async () => {
    if (job !== null) await post(`/api/jobs/${job}/cancel`, {});
  });
}

// ---- no lost edits: leaving the editor with unsaved changes asks first
// (links, the browser's back, closing the tab), and "Run…" on a modified
// file offers to save it first or to run the saved file, said plainly.
function guard() {
  const box = document.getElementById('editor');
  if (!box) return;
  const source = document.getElementById('source');
  const status = document.getElementById('status');
  const run = document.getElementById('run-link');
  const panel = document.getElementById('unsaved');
  let saved = box.dataset.new === 'true' ? null : source.value;
  let leaving = false;
  const dirty = () => source.value !== saved;
  box.addEventListener('saved', (e) => { saved = e.detail ?? source.value; panel.hidden = true; });
  source.addEventListener('input', () => { box.dataset.dirty = String(dirty()); });
  window.addEventListener('beforeunload', (e) => {
    if (leaving || !dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  });
  function go(href) { leaving = true; window.location.href = href; }
  run.addEventListener('click', (e) => {
    if (!dirty()) return;
    e.preventDefault();
    panel.hidden = false;
    document.getElementById('unsaved-save').focus();
  });
  document.getElementById('unsaved-saved').addEventListener('click', () => go(run.href));
  document.getElementById('unsaved-stay').addEventListener('click', () => { panel.hidden = true; source.focus(); });
  document.getElementById('unsaved-save').addEventListener('click', async () => {
    const sent = source.value;
    const { status: code, data } = await post('/api/save', { file: box.dataset.file, text: sent });
    if (code !== 200) { status.className = 'bad'; text(status, data.error || `error ${code}`); return; }
    saved = sent;
    if (data.diagnostics.length) {
      panel.hidden = true;
      box.dispatchEvent(new CustomEvent('saved', { detail: sent }));
      status.className = 'bad';
      text(status, `saved, but it has ${data.diagnostics.length} problem(s): fix them to run it`);
      return;
    }
    go(run.href);
  });
}

// ---- the attribute form offers only the files that extend its baseline
function interventions() {
  const baseline = document.getElementById('baseline');
  const box = document.getElementById('interventions');
  if (!baseline || !box) return;
  function filter() {
    let shown = 0;
    for (const label of box.querySelectorAll('label[data-extends]')) {
      const fits = label.dataset.extends === baseline.value;
      label.hidden = !fits;
      if (!fits) label.querySelector('input').checked = false;
      shown += fits ? 1 : 0;
    }
    document.getElementById('no-interventions').hidden = shown > 0;
    document.getElementById('reform-link').href = `/reform?file=${encodeURIComponent(baseline.value)}`;
  }
  baseline.addEventListener('change', filter);
  filter();
}

editor();
guard();
interventions();
jobs();
