// portsim serve: the script of the logs' pages, served from the binary
// (src/serve/static/logs.js): uploading a log on the workspace page, the
// calibrate page (run, show the report, save the scenario) and the now
// page (forecast and backtest). It talks to this server only.
'use strict';

(function () {
  async function send(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await res.json(); } catch (_) { data = { error: res.statusText }; }
    return { status: res.status, data };
  }
  const $ = (id) => document.getElementById(id);
  const say = (id, value) => { const el = $(id); if (el) el.textContent = value; };
  const number = (id) => { const v = $(id) && $(id).value; return v ? Number(v) : null; };

  // ---- upload, on the workspace page
  const upload = $('upload');
  if (upload) {
    const file = $('upload-file');
    const name = $('upload-name');
    file.addEventListener('change', () => {
      if (file.files[0] && !name.value) name.value = file.files[0].name;
    });
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = file.files[0];
      if (!f) return;
      say('upload-status', 'Uploading…');
      const query = $('upload-overwrite').checked ? '?overwrite=true' : '';
      const path = name.value.split('/').map(encodeURIComponent).join('/');
      const res = await fetch('/api/logs/' + path + query, { method: 'POST', body: f });
      let data = {};
      try { data = await res.json(); } catch (_) { data = { error: res.statusText }; }
      if (res.status === 201) {
        say('upload-status', 'Uploaded ' + data.name + ' (' + data.bytes + ' bytes).');
        window.location.reload();
      } else {
        say('upload-status', data.error || ('failed: ' + res.status));
      }
    });
  }

  // ---- the calibrate page
  const calibrate = $('calibrate');
  let asked = null;
  if (calibrate) {
    calibrate.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      asked = {
        log: $('log').value,
        map: $('map').value || null,
        replications: number('replications'),
        seed: number('seed'),
      };
      $('calibrate-error').hidden = true;
      $('calibrate-result').hidden = true;
      say('calibrate-status', 'Calibrating and validating…');
      const { status, data } = await send('/api/calibrate', asked);
      say('calibrate-status', '');
      if (status !== 200) {
        say('calibrate-error', data.error || ('failed: ' + status));
        $('calibrate-error').hidden = false;
        return;
      }
      say('calibrate-report', data.table);
      // The report's own sections (`calibrate --html`), built and escaped
      // by the server.
      $('calibrate-page').innerHTML = data.html;
      say('calibrate-scenario', data.scenario);
      const list = $('calibrate-warnings');
      list.replaceChildren();
      for (const w of data.warnings) {
        const li = document.createElement('li');
        li.textContent = w;
        list.append(li);
      }
      $('open-editor').hidden = true;
      $('calibrate-result').hidden = false;
    });
    $('save-scenario').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!asked) return;
      const body = Object.assign({}, asked, {
        name: $('save-name').value,
        overwrite: $('save-overwrite').checked,
      });
      say('save-status', 'Saving…');
      const { status, data } = await send('/api/calibrate/save', body);
      if (status === 201) {
        say('save-status', 'Saved as ' + data.name + '.');
        $('open-link').href = data.edit;
        $('open-editor').hidden = false;
      } else {
        say('save-status', data.error || ('failed: ' + status));
      }
    });
  }

  // ---- the now page
  const now = $('now');
  if (now) {
    now.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {
        scenario: $('scenario').value,
        log: $('log').value,
        map: $('map').value || null,
        at: $('at').value || null,
        hours: number('hours'),
        replications: number('replications'),
        backtest: $('backtest').checked,
        range: $('range').value || null,
      };
      $('now-error').hidden = true;
      $('now-result').hidden = true;
      say('now-status', body.backtest ? 'Forecasting and backtesting…' : 'Forecasting…');
      const { status, data } = await send('/api/now', body);
      say('now-status', '');
      if (status !== 200) {
        say('now-error', data.error || ('failed: ' + status));
        $('now-error').hidden = false;
        return;
      }
      const result = $('now-result');
      // The report's own blocks, built and escaped by the server.
      result.innerHTML = data.html;
      if (data.note) {
        const p = document.createElement('p');
        p.className = 'meta';
        p.textContent = data.note;
        result.prepend(p);
      }
      result.hidden = false;
    });
  }
})();
