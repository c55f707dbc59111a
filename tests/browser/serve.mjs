// Drives `portsim serve` in headless Chromium, as a planner would: opens
// the workspace, introduces a typo in a scenario and sees the diagnostic at
// its line, fixes it and saves, runs it and watches the progress reach
// 100%, opens the report, cancels a long run, compares two scenarios,
// downloads the CSV, attributes a change to two interventions, runs a
// sweep study to 100% and opens its page, puts
// two stored runs side by side, keeps unsaved edits from being lost, and
// writes a reform as an intervention from its form and attributes it,
// uploads a log, calibrates it, saves the scenario and opens it in the
// editor, sees a log's mistake at its row, and forecasts the next hours
// with a backtest on the now page. Fails on any console error, page
// error, failed request, or request that leaves loopback. Screenshots go
// to OUT/serve-*.png.
//
// usage: node serve.mjs PORTSIM_BINARY SCENARIOS_DIR OUT_DIR
// The server runs on a temporary copy of SCENARIOS_DIR, on 127.0.0.1 with a
// free port, and is stopped at the end. Exit status: 0 passed, 1 failed,
// 2 bad usage.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [binary, scenarios, outDir] = process.argv.slice(2).map((a) => a && resolve(a));
if (!binary || !scenarios || !outDir) {
  console.error('usage: node serve.mjs PORTSIM_BINARY SCENARIOS_DIR OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'portsim-serve-'));
const workspace = join(work, 'scenarios');
cpSync(scenarios, workspace, { recursive: true });

// ---- the server, on a free loopback port
// Its key (which seals the results it stores) in a data directory of its
// own, outside the workspace, never the user's.
const server = spawn(binary, ['serve', '--workspace', workspace, '--addr', '127.0.0.1:0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, PORTSIM_DATA_DIR: join(work, 'data') },
});
let serverLog = '';
const base = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`server did not start: ${serverLog}`)), 20000);
  server.stderr.on('data', (chunk) => {
    serverLog += chunk;
    const m = serverLog.match(/http:\/\/(127\.0\.0\.1:\d+)\//);
    if (m) { clearTimeout(timer); ok(`http://${m[1]}`); }
  });
  server.on('exit', (code) => fail(new Error(`server exited with ${code}: ${serverLog}`)));
});

const problems = [];
const steps = [];
const profile = mkdtempSync(join(tmpdir(), 'portsim-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1200, height: 900 },
  deviceScaleFactor: 1,
  acceptDownloads: true,
});
// Only this server may be reached; anything else is refused and reported.
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (url.origin === base) return route.continue();
  problems.push(`request that leaves the server: ${url.href}`);
  return route.abort();
});
const page = context.pages()[0] ?? await context.newPage();
// A step that expects a refusal names its status here; the browser
// reports the refused fetch on the console, which is then not a problem.
let refusalExpected = null;
page.on('console', (msg) => {
  if (refusalExpected && msg.text().includes(`status of ${refusalExpected}`)) return;
  if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
});
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
page.on('requestfailed', (req) => {
  // An EventSource closed by the page after its last event is not a failure.
  if (!req.url().includes('/events')) problems.push(`failed request: ${req.url()} (${req.failure()?.errorText})`);
});

async function step(name, f) {
  try {
    await f();
    steps.push(name);
    console.log(`ok   ${name}`);
  } catch (e) {
    problems.push(`${name}: ${e.message.split('\n')[0]}`);
    console.error(`FAIL ${name}: ${e.message}`);
  }
}
const shot = (name) => page.screenshot({ path: join(outDir, `serve-${name}.png`), fullPage: true });
function expect(cond, what) { if (!cond) throw new Error(what); }

let original = '';
await step('workspace lists the scenarios', async () => {
  await page.goto(`${base}/`);
  const names = await page.locator('#files tbody th').allTextContents();
  expect(names.includes('example.toml') && names.includes('horgos-before.toml'), `files: ${names}`);
  await shot('workspace');
});

let typoLine = 0;
await step('a typo shows its diagnostic at its line', async () => {
  await page.click('#files a:text-is("example.toml")');
  await page.waitForSelector('#status.ok');
  original = await page.inputValue('#source');
  const lines = original.split('\n');
  typoLine = lines.findIndex((l) => l.startsWith('horizon')) + 1;
  expect(typoLine > 0, 'no horizon line');
  lines[typoLine - 1] = lines[typoLine - 1].replace('horizon', 'horizn');
  await page.fill('#source', lines.join('\n'));
  const item = page.locator(`#diagnostics li[data-line="${typoLine}"]`).first();
  await item.waitFor();
  const message = await item.textContent();
  expect(message.includes('horizn'), `diagnostic: ${message}`);
  expect(message.includes(`example.toml:${typoLine}:1`), `diagnostic location: ${message}`);
  await page.locator(`#gutter span.bad[data-line="${typoLine}"]`).waitFor();
  // Clicking the diagnostic brings its line into view, marked in the gutter.
  await item.click();
  const marked = page.locator(`#gutter span.bad[data-line="${typoLine}"]`);
  expect(await marked.isVisible(), 'marked line hidden');
  // The mark is level with the line it names in the text.
  const [markTop, lineTop] = await page.evaluate((n) => {
    const mark = document.querySelector(`#gutter span.bad[data-line="${n}"]`).getBoundingClientRect();
    const area = document.getElementById('source');
    const pad = parseFloat(getComputedStyle(area).paddingTop);
    const height = parseFloat(getComputedStyle(area).lineHeight);
    return [mark.top, area.getBoundingClientRect().top + pad + (n - 1) * height];
  }, typoLine);
  expect(Math.abs(markTop - lineTop) < 3, `mark at ${markTop}, line at ${lineTop}`);
  await shot('editor');
});

await step('fixing it clears the diagnostics and saves', async () => {
  await page.fill('#source', original);
  await page.waitForSelector('#status.ok');
  expect(await page.locator('#diagnostics li').count() === 0, 'diagnostics left');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('saved'));
  const onDisk = readFileSync(join(workspace, 'example.toml'), 'utf8');
  expect(onDisk === original, 'the saved file differs');
});

let firstRun = '';
await step('a run streams its progress to 100%', async () => {
  await page.click('#run-link');
  await page.fill('input[name=replications]', '12');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 60000 });
  const text = await page.textContent('#progress-text');
  expect(text.includes('12 of 12') && text.includes('(100%)'), `progress: ${text}`);
  const [value, max] = await page.$eval('#bar', (b) => [b.value, b.max]);
  expect(value === max && max === 12, `bar ${value}/${max}`);
  await shot('run');
  firstRun = (await page.getAttribute('#result-link', 'href')).split('/').pop();
});

await step('the report opens with its downloads', async () => {
  await page.click('#result-link');
  await page.waitForSelector('#downloads');
  const kicker = await page.textContent('.kicker');
  expect(kicker.includes('simulation report'), `kicker: ${kicker}`);
  expect(await page.locator('svg').count() > 0, 'no chart');
  await shot('report');
});

await step('asking again is served from the ledger', async () => {
  await page.goto(`${base}/run?file=example.toml`);
  await page.fill('input[name=replications]', '12');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]');
  const text = await page.textContent('#progress-text');
  expect(text.includes('stored result'), `progress: ${text}`);
});

await step('a long run can be cancelled from the page', async () => {
  await page.goto(`${base}/run?file=horgos-before.toml`);
  await page.fill('input[name=replications]', '5000');
  await page.click('#start');
  await page.waitForFunction(() => {
    const t = document.getElementById('progress-text');
    return t.dataset.state === 'running' && /: [1-9]\d* of 5000/.test(t.textContent);
  }, null, { timeout: 60000 });
  await page.click('#cancel');
  await page.waitForSelector('#error:not([hidden])', { timeout: 20000 });
  const text = await page.textContent('#error');
  expect(text.includes('cancelled'), `after cancel: ${text}`);
  expect(await page.locator('#result').isHidden(), 'a cancelled run offers a report');
});

await step('two scenarios compare, and the CSV downloads', async () => {
  await page.goto(`${base}/compare?a=horgos-before.toml&b=horgos-after.toml`);
  await page.fill('input[name=replications]', '6');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 60000 });
  await page.click('#result-link');
  await page.waitForSelector('#downloads');
  const kicker = await page.textContent('.kicker');
  expect(kicker.includes('comparison report'), `kicker: ${kicker}`);
  await shot('compare');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#downloads a:text-is("CSV")'),
  ]);
  const path = join(work, 'comparison.csv');
  await download.saveAs(path);
  const csv = readFileSync(path, 'utf8');
  expect(csv.split('\n')[0].includes('metric') && csv.includes('time_in_port_s'), `csv: ${csv.slice(0, 200)}`);
});

await step('interventions are attributed their shares', async () => {
  await page.goto(`${base}/attribute`);
  await page.selectOption('select[name=file]', 'horgos-before.toml');
  await page.check('input[type=checkbox][value="interventions/24h-opening.toml"]');
  await page.check('input[type=checkbox][value="interventions/appointments.toml"]');
  await page.fill('input[name=replications]', '4');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 60000 });
  await page.click('#result-link');
  await page.waitForSelector('#downloads');
  const kicker = await page.textContent('.kicker');
  expect(kicker.includes('attribution report'), `kicker: ${kicker}`);
  const main = await page.textContent('main');
  expect(main.includes('Which intervention did the work'), 'no attribution section');
  await shot('attribution');
});

await step('a sweep study runs to 100% and its page opens', async () => {
  await page.goto(`${base}/`);
  const study = page.locator('#files tr[data-file="studies/sweep-exit-pace.toml"] [data-study=sweep]');
  expect(await study.count() === 1, 'the sweep is not listed as a study');
  await page.click('#files tr[data-file="studies/sweep-exit-pace.toml"] a:text-is("Start study")');
  await page.fill('input[name=replications]', '2');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 120000 });
  const text = await page.textContent('#progress-text');
  expect(/10 of 10 points done, 20 of 20 units \(100%\)/.test(text), `progress: ${text}`);
  await page.click('#result-link');
  await page.waitForSelector('#downloads');
  const kicker = await page.textContent('.kicker');
  expect(kicker.toLowerCase().includes('sweep'), `kicker: ${kicker}`);
  expect(await page.locator('#downloads a:text-is("CSV")').count() === 1, 'no CSV download');
  await shot('sweep');
});

await step('two stored runs side by side', async () => {
  // A second single run with the same seed and replications.
  await page.goto(`${base}/run?file=horgos-after.toml`);
  const seed = await page.inputValue('input[name=seed]');
  await page.goto(`${base}/run?file=horgos-before.toml`);
  await page.fill('input[name=seed]', seed);
  await page.fill('input[name=replications]', '6');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 60000 });
  await page.goto(`${base}/history`);
  const rows = page.locator('#history tbody tr');
  expect(await rows.count() >= 3, `history rows: ${await rows.count()}`);
  await page.locator('#history input[type=checkbox]').nth(0).check();
  await page.locator(`#history input[value="${firstRun}"]`).check();
  await shot('history');
  await page.click('button:text-is("Side by side")');
  await page.waitForSelector('table.metrics');
  const text = await page.textContent('main');
  expect(text.includes('Two stored results') && text.includes('time_in_port_s'), 'side-by-side page');
  await shot('side');
});

await step('unsaved edits are not lost: leaving asks, Run… offers to save', async () => {
  await page.goto(`${base}/edit?file=example.toml`);
  await page.waitForSelector('#status.ok');
  const before = await page.inputValue('#source');
  const rateLine = before.split('\n').find((l) => /^rate\s*=/.test(l));
  expect(rateLine, 'no rate line in example.toml');
  const edited = before.replace(rateLine, 'rate = "600/d"');
  // Typed as a user would, so that the page has a user's gesture.
  await page.click('#source');
  await page.fill('#source', edited);
  await page.keyboard.press('End');
  await page.waitForSelector('#status.ok');
  // A link, and the browser's back: the page asks, and staying keeps the text.
  const asked = [];
  const stay = (d) => { asked.push(d.type()); d.dismiss(); };
  page.on('dialog', stay);
  await page.click('nav.app a:text-is("Workspace")', { noWaitAfter: true });
  await page.waitForTimeout(300);
  expect(page.url().includes('/edit?file=example.toml'), `left for ${page.url()}`);
  await page.goBack({ timeout: 2000 }).catch(() => {});
  expect(page.url().includes('/edit?file=example.toml'), `went back to ${page.url()}`);
  page.off('dialog', stay);
  expect(asked.length === 2 && asked.every((t) => t === 'beforeunload'), `dialogs: ${asked}`);
  expect(await page.inputValue('#source') === edited, 'the edit was lost');
  // Run… says plainly what would run, and can save first.
  await page.click('#run-link');
  await page.waitForSelector('#unsaved:not([hidden])');
  const said = await page.textContent('#unsaved');
  expect(said.includes('not saved') && said.includes('as saved on disk'), `panel: ${said}`);
  expect(page.url().includes('/edit?'), 'Run… left the editor');
  await shot('unsaved');
  await page.click('#unsaved-save');
  await page.waitForURL(/\/run\?file=example\.toml/);
  const onDisk = readFileSync(join(workspace, 'example.toml'), 'utf8');
  expect(onDisk === edited, 'Save, then run did not save the edit');
  // Saved: leaving asks nothing.
  await page.goto(`${base}/edit?file=example.toml`);
  await page.waitForSelector('#status.ok');
  let more = 0;
  const count = (d) => { more += 1; d.dismiss(); };
  page.on('dialog', count);
  await page.click('nav.app a:text-is("Workspace")');
  await page.waitForURL(`${base}/`);
  page.off('dialog', count);
  expect(more === 0, 'a saved file asked before leaving');
});

await step('a reform as a form: edit lanes and hours, save as an intervention, attribute it', async () => {
  await page.goto(`${base}/`);
  await page.click('#files tr[data-file="horgos-before.toml"] a:text-is("Reform…")');
  await page.waitForSelector('#reform-form');
  // The current values are listed with the settings in words.
  const lanes = page.locator('tr[data-key="stages.document-review.lanes"]');
  expect((await lanes.locator('th').textContent()).includes('lanes at document review'), 'lanes not in words');
  expect(await lanes.locator('input').inputValue() === '12', 'current lanes not shown');
  const hours = page.locator('tr[data-key="port.open"] input');
  expect(await hours.inputValue() === '10:30-14:00, 15:00-19:00', `current hours: ${await hours.inputValue()}`);
  await lanes.locator('input').fill('16');
  await hours.fill('08:00-20:00');
  await page.fill('input[name=name]', 'longer-day');
  await shot('reform');
  await page.click('#reform-save');
  await page.waitForSelector('#reform-done:not([hidden])');
  const saved = await page.textContent('#reform-file');
  expect(saved === 'interventions/longer-day.toml', `saved as ${saved}`);
  expect(await page.getAttribute('#reform-done', 'data-valid') === 'true', 'the intervention has mistakes');
  const text = readFileSync(join(workspace, 'interventions/longer-day.toml'), 'utf8');
  expect(text.includes('extends = "../horgos-before.toml"'), `patch: ${text}`);
  expect(text.includes('[stages.document-review]\nlanes = 16'), `patch: ${text}`);
  expect(text.includes('open = ["08:00-20:00"]'), `patch: ${text}`);
  expect(!text.includes('yard-registration'), `unchanged stages written: ${text}`);
  // It opens in the editor, valid like any file.
  await page.click('#reform-file');
  await page.waitForSelector('#status.ok');
  expect((await page.inputValue('#source')) === text, 'the editor shows another text');
  // Offered at once for attribution, with only the baseline's interventions.
  await page.goto(`${base}/attribute?baseline=horgos-before.toml&intervention=interventions%2Flonger-day.toml`);
  const offered = await page.locator('#interventions label.check:not([hidden])').allTextContents();
  const names = offered.map((t) => t.trim());
  expect(names.includes('interventions/longer-day.toml') && names.includes('interventions/24h-opening.toml'), `offered: ${names}`);
  // horgos-after.toml extends horgos-before.toml, so it is one too; the
  // example, a whole scenario, is not.
  expect(!names.includes('example.toml') && !names.includes('horgos-before.toml'), `whole scenarios offered: ${names}`);
  expect(await page.isChecked('input[value="interventions/longer-day.toml"]'), 'the new intervention is not ticked');
  // Another baseline offers none of them.
  await page.selectOption('#baseline', 'example.toml');
  expect(await page.locator('#interventions label.check:not([hidden])').count() === 0, 'interventions of another baseline offered');
  await page.selectOption('#baseline', 'horgos-before.toml');
  await page.check('input[value="interventions/longer-day.toml"]');
  await page.check('input[value="interventions/24h-opening.toml"]');
  await page.fill('input[name=replications]', '3');
  await page.click('#start');
  await page.waitForSelector('#progress-text[data-state=done]', { timeout: 120000 });
  await page.click('#result-link');
  await page.waitForSelector('#downloads');
  const first = await page.locator('#attribution-summary li').first().textContent();
  expect(/^throughput: |did .*% .*of the|not significant|did not change/.test(first), `summary: ${first}`);
  expect(first.includes('longer-day') || first.includes('not significant'), `summary: ${first}`);
  await shot('reform-attribution');
});

await step('the attribution opens with its answer in words', async () => {
  // The attribution of the earlier step, from the history: its title
  // names the baseline once and the interventions by file.
  await page.goto(`${base}/history`);
  const titles = await page.locator('#history tbody th').allTextContents();
  const title = titles.find((t) => t.startsWith('attribute:') && t.includes('longer-day'));
  expect(title, `titles: ${titles}`);
  expect(title.split('Horgos road port, before the reforms').length === 2, `title: ${title}`);
  expect(title.includes('interventions/longer-day.toml, interventions/24h-opening.toml') ||
    title.includes('interventions/24h-opening.toml, interventions/longer-day.toml'), `title: ${title}`);
  await page.click(`#history tbody th a:text-is("${title}")`);
  await page.waitForSelector('#attribution-summary');
  // The summary and its chart come before the comparison's headline
  // results; the method is folded away.
  const [summaryTop, headlineTop, methodOpen] = await page.evaluate(() => {
    const h2 = [...document.querySelectorAll('h2')];
    const headline = h2.find((h) => h.textContent.startsWith('Headline results'));
    return [
      document.getElementById('attribution-summary').getBoundingClientRect().top,
      headline.getBoundingClientRect().top,
      document.getElementById('method').open,
    ];
  });
  expect(summaryTop < headlineTop, `summary at ${summaryTop}, headline at ${headlineTop}`);
  expect(summaryTop < 900, `the summary starts ${summaryTop}px down`);
  expect(methodOpen === false, 'the method is not folded');
  const items = await page.locator('#attribution-summary li').count();
  expect(items === 4, `summary sentences: ${items}`);
  const main = await page.textContent('main');
  expect(!main.includes('`'), 'literal backticks on the page');
});

await step('a log uploads, calibrates, saves and opens in the editor', async () => {
  await page.goto(`${base}/`);
  await page.setInputFiles('#upload-file', join(scenarios, 'logs', 'example-port.csv'));
  await page.fill('#upload-name', 'port-upload.csv');
  await Promise.all([page.waitForNavigation(), page.click('#upload button[type=submit]')]);
  const row = page.locator('#logs tr[data-log="port-upload.csv"]');
  await row.waitFor();
  expect((await row.textContent()).includes('252.9 kB'), `row: ${await row.textContent()}`);
  await row.locator('a:text-is("Calibrate…")').click();
  await page.waitForSelector('#calibrate');
  await page.fill('#replications', '4');
  await page.click('#calibrate button[type=submit]');
  await page.locator('#calibrate-result').waitFor({ state: 'visible', timeout: 120000 });
  const report = await page.textContent('#calibrate-report');
  expect(report.includes('Calibration of port-upload.csv'), `report: ${report.slice(0, 200)}`);
  for (const word of ['Stages in visiting order', 'documents', 'inspection', 'Validation']) {
    expect(report.includes(word), `the report lacks ${word}`);
  }
  // The report's own page (`calibrate --html`) above the text: a
  // section per stage with its curves, the arrivals and the validation.
  const shown = page.locator('#calibrate-page');
  const stages = await shown.locator('section.stage').count();
  expect(stages === 3, `stage sections shown: ${stages}`);
  const charts = await shown.locator('svg').count();
  expect(charts >= 8, `charts shown: ${charts}`);
  const words = await shown.textContent();
  for (const word of ['Kaplan', 'Its load is', 'inside the spread']) {
    expect(words.includes(word), `the report's page lacks ${word}`);
  }
  await shot('calibrate');
  await page.fill('#save-name', 'calibrated-upload.toml');
  await page.click('#save-scenario button[type=submit]');
  await page.locator('#open-editor').waitFor({ state: 'visible' });
  await page.click('#open-link');
  await page.waitForSelector('#status.ok');
  const text = await page.inputValue('#source');
  expect(text.startsWith('# Calibrated by `portsim calibrate` from the log `port-upload.csv`'), `text: ${text.slice(0, 120)}`);
  expect(await page.locator('#diagnostics li').count() === 0, 'the saved scenario has diagnostics');
});

await step('a mistake in a log is shown with its row and column', async () => {
  await page.goto(`${base}/calibrate?log=logs/bad-event.csv`);
  refusalExpected = 422;
  await page.click('#calibrate button[type=submit]');
  await page.locator('#calibrate-error').waitFor({ state: 'visible' });
  refusalExpected = null;
  const message = await page.textContent('#calibrate-error');
  expect(message.includes('row 3, column 3') && message.includes('did you mean `start`?'), `message: ${message}`);
});

await step('the now page shows the next hours with bands and the backtest', async () => {
  await page.goto(`${base}/now?scenario=logs/example-port.toml&log=logs/example-port.csv`);
  const line = await page.textContent('#log-line');
  expect(line.includes('2025-03-06T23:57'), `log line: ${line}`);
  expect(await page.inputValue('#at') === '2025-03-06T23:58', 'the default time');
  await page.fill('#replications', '50');
  await page.click('#now button[type=submit]');
  await page.locator('#now-result').waitFor({ state: 'visible', timeout: 120000 });
  const charts = await page.locator('#now-result figure svg').count();
  expect(charts === 3, `charts: ${charts}`);
  const result = await page.textContent('#now-result');
  for (const word of ['The port now', 'Timetable', 'naive MAE', 'coverage']) {
    expect(result.includes(word), `the result lacks ${word}`);
  }
  await shot('now');
});

await context.close();
rmSync(profile, { recursive: true, force: true });
server.kill('SIGTERM');
await new Promise((ok) => server.on('exit', ok));
rmSync(work, { recursive: true, force: true });

for (const p of problems) console.error(`  - ${p}`);
const failed = problems.length ? 1 : 0;
console.log(`browser: ${failed ? 0 : 1} passed, ${failed} failed (serve: ${steps.length} steps passed, ${problems.length} problem(s))`);
process.exit(failed);
