// Opens portsim HTML reports in headless Chromium and checks that they
// work offline: no request leaves file://, no console error, no failed
// request, every chart (<svg>) is drawn with a non-empty box and content,
// no tick labels overlap, nothing overflows the page sideways, the daily
// chart labels its days with their weekday, every run and comparison page
// defines its metrics, a run page shows its inputs (and per-class results and the cost
// breakdown when it has classes and costs), and an attribution page shows
// how the combined change adds up. Saves a
// full-page PNG screenshot of each page (and with --pdf a printed PDF).
//
// usage: node check-report.mjs [--width PX] [--pdf] PAGE.html[=SHOT.png] ...
// Without =SHOT.png the screenshot goes next to the page (PAGE.png).
// Exit status: 0 all pages passed, 1 a check failed, 2 bad usage.

import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let width = 1200;
let pdf = false;
const pages = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--width') {
    width = Number(args[++i]);
  } else if (args[i] === '--pdf') {
    pdf = true;
  } else {
    const [page, shot] = args[i].split('=');
    pages.push({ page: resolve(page), shot: resolve(shot ?? page.replace(/\.html?$/, '') + '.png') });
  }
}
if (pages.length === 0 || !Number.isFinite(width) || width < 320) {
  console.error('usage: node check-report.mjs [--width PX] [--pdf] PAGE.html[=SHOT.png] ...');
  process.exit(2);
}

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'portsim-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width, height: 900 },
  deviceScaleFactor: 1,
  offline: true,
});

let failures = 0;
try {
  for (const { page: file, shot } of pages) {
    const problems = await check(file, shot);
    if (problems.length) {
      failures++;
      console.error(`FAIL ${file}`);
      for (const p of problems) console.error(`  - ${p}`);
    } else {
      console.log(`ok   ${file} -> ${shot}`);
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`browser: ${pages.length - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);

async function check(file, shot) {
  const problems = [];
  if (!existsSync(file)) return [`no such file: ${file}`];
  const page = await context.newPage();
  // Every request must stay on file://; anything else is refused and
  // reported, whatever the page's reason for making it.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    problems.push(`request to a non-file URL: ${url}`);
    return route.abort();
  });
  page.on('websocket', (ws) => problems.push(`websocket opened: ${ws.url()}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    problems.push(`failed request: ${req.url()} (${req.failure()?.errorText})`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  const report = await page.evaluate(() => {
    const out = { charts: 0, bad: [], overlaps: [], overflow: 0 };
    const boxes = (els) => els.map((e) => ({ e, r: e.getBoundingClientRect() }));
    const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    for (const svg of document.querySelectorAll('svg')) {
      out.charts++;
      const r = svg.getBoundingClientRect();
      const drawn = svg.querySelectorAll('path, rect, circle, polyline, polygon, line').length;
      if (!(r.width > 0 && r.height > 0) || svg.children.length === 0 || drawn === 0) {
        out.bad.push(`${svg.id || 'svg'}: ${Math.round(r.width)}x${Math.round(r.height)}, ${drawn} shapes`);
      }
      const ticks = boxes([...svg.querySelectorAll('text.tick')]);
      for (let i = 0; i < ticks.length; i++) {
        for (let j = i + 1; j < ticks.length; j++) {
          if (hit(ticks[i].r, ticks[j].r)) {
            out.overlaps.push(`${svg.id}: "${ticks[i].e.textContent}" / "${ticks[j].e.textContent}"`);
          }
        }
      }
    }
    out.overflow = document.documentElement.scrollWidth - window.innerWidth;
    out.kicker = document.querySelector('.kicker')?.textContent ?? '';
    out.headings = [...document.querySelectorAll('h2')].map((h) => h.textContent);
    out.weekdays = [...document.querySelectorAll('text.tick')]
      .filter((t) => /^day \d+ \((Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)$/.test(t.textContent)).length;
    out.terms = document.body.textContent.includes('how the change adds up');
    out.text = document.body.textContent;
    return out;
  });
  const need = (heading) => {
    if (!report.headings.includes(heading)) problems.push(`no section "${heading}"`);
  };
  const runOrCompare = ['portsim simulation report', 'portsim comparison report', 'portsim attribution report'];
  if (runOrCompare.includes(report.kicker)) {
    need('What the metrics mean');
    if (report.weekdays === 0) problems.push('the daily chart does not label days with their weekday');
  }
  if (report.kicker === 'portsim simulation report') {
    need('What was simulated');
    if (report.text.includes('perishable')) need('Per class of trucks');
    need('Cost per truck');
  }
  if (report.kicker === 'portsim attribution report' && !report.terms) {
    problems.push('the attribution does not show how the change adds up');
  }
  if (report.charts === 0) problems.push('no charts (svg elements) on the page');
  for (const b of report.bad) problems.push(`chart not drawn: ${b}`);
  for (const o of report.overlaps) problems.push(`tick labels overlap: ${o}`);
  if (report.overflow > 0) problems.push(`page overflows sideways by ${report.overflow}px`);

  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  if (pdf) {
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: shot.replace(/\.png$/, '') + '.pdf', format: 'A4', printBackground: true });
  }
  await page.close();
  return problems;
}
