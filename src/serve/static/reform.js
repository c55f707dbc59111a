// portsim serve: the reform page's script (src/serve/static/reform.js),
// loaded by that page only. It sends the changed values to /api/reform,
// which writes the intervention file, and shows the file's diagnostics
// with links to edit it, to attribute it and to compare it.
'use strict';

(function reform() {
  const form = document.getElementById('reform-form');
  if (!form) return;
  const file = form.dataset.file;
  const error = document.getElementById('reform-error');
  const done = document.getElementById('reform-done');
  const enc = encodeURIComponent;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true; done.hidden = true;
    const values = {};
    for (const input of form.querySelectorAll('#reform-fields input')) {
      if (input.value.trim() !== input.defaultValue.trim()) values[input.name] = input.value;
    }
    const name = form.elements.name.value.trim();
    const res = await fetch('/api/reform', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file, name, values }),
    });
    let data = {};
    try { data = await res.json(); } catch (_) { data = { error: res.statusText }; }
    if (res.status !== 200) {
      error.hidden = false;
      error.textContent = data.error || `error ${res.status}`;
      return;
    }
    const link = document.getElementById('reform-file');
    link.textContent = data.file;
    link.href = `/edit?file=${enc(data.file)}`;
    document.getElementById('reform-attribute').href =
      `/attribute?baseline=${enc(file)}&intervention=${enc(data.file)}`;
    document.getElementById('reform-compare').href = `/compare?a=${enc(file)}&b=${enc(data.file)}`;
    const list = document.getElementById('reform-diagnostics');
    list.replaceChildren();
    for (const d of data.diagnostics) {
      const li = document.createElement('li');
      li.className = 'diagnostic';
      const pre = document.createElement('pre');
      pre.textContent = d.rendered;
      li.append(pre);
      list.append(li);
    }
    done.dataset.valid = String(data.valid);
    done.hidden = false;
  });
})();
