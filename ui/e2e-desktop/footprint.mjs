// Footprint of the desktop app (issue: benchmarks): time from launch to the
// first paint of the home screen, and PSS of the whole process tree (WebKit's
// helper processes included) after opening every screen, beside two baselines
// measured in the same run: an empty Tauri window and headless Chromium showing
// the same built UI. Run by scripts/bench-footprint.sh under Xvfb.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { remote } from 'webdriverio';
import { chromium } from 'playwright-core';
import { serve } from '../e2e/server.mjs';

const smoke = process.argv.includes('--smoke');
const APP = process.env.PAYDESK_APP;
const EMPTY = process.env.PAYDESK_EMPTY_WINDOW;
const CLI = process.env.PAYDESK_CLI;
const runs = smoke ? 1 : 5;
const settle = (ms) => new Promise((r) => setTimeout(r, ms));
const SCREENS = ['balances', 'payout', 'deposit', 'lookup', 'orders', 'arrivals', 'profiles'];

function children() {
  const map = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!map.has(ppid)) map.set(ppid, []);
      map.get(ppid).push(Number(d));
    } catch {}
  }
  return map;
}

function tree(pid) {
  const kids = children();
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) ?? []));
  return out;
}

function pssKb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// PAYDESK_FOOTPRINT_MAPS=1: the largest mappings of each process by PSS, to
// see where memory goes (heap, JS heap in anonymous maps, libraries, fonts).
function dumpMaps(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return;
  }
  const by = new Map();
  let name = '';
  for (const line of text.split('\n')) {
    const m = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (m) name = m[1] || '[anon]';
    const p = line.match(/^Pss:\s+(\d+) kB/);
    if (p) by.set(name, (by.get(name) ?? 0) + Number(p[1]));
  }
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`maps of ${comm} (${pid}):\n` + top.map(([n, kb]) => `  ${(kb / 1024).toFixed(1).padStart(6)} MB ${n}`).join('\n'));
}

function treePssMb(pid) {
  const pids = tree(pid);
  const kb = pids.reduce((a, p) => a + pssKb(p), 0);
  const names = pids.map((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      return '?';
    }
  });
  if (process.env.PAYDESK_FOOTPRINT_MAPS) for (const p of pids) dumpMaps(p);
  // Per process, so a change can be traced to the shell or to WebKit's helpers.
  const parts = pids.map((p, i) => `${names[i]} ${(pssKb(p) / 1024).toFixed(1)}`).join(', ');
  return { mb: kb / 1024, procs: names.length, names: [...new Set(names)].join(','), parts };
}

function findPid(comm) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) return Number(d);
    } catch {}
  }
  return null;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// A data directory whose home screen is the balances (sandbox profiles saved).
function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'paydesk-footprint-'));
  const r = spawnSync(CLI, ['--data-dir', dir, 'profile', 'add-sandbox', '--sandbox-url', 'http://127.0.0.1:1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`add-sandbox failed: ${r.stderr}`);
  return dir;
}

async function launchToFirstPaint() {
  const dir = dataDir();
  const t0 = performance.now();
  const child = spawn(APP, [], { env: { ...process.env, PAYDESK_DATA_DIR: dir, PAYDESK_SANDBOX_PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let reported = null;
  const wall = await new Promise((resolvePaint, reject) => {
    const timer = setTimeout(() => reject(new Error('no first paint within 30 s')), 30000);
    let buf = '';
    child.stderr.on('data', (d) => {
      buf += d;
      const m = buf.match(/first paint after (\d+) ms/);
      if (m) {
        clearTimeout(timer);
        reported = Number(m[1]);
        resolvePaint(performance.now() - t0);
      }
    });
  });
  child.kill('SIGTERM');
  await settle(500);
  return { wall, reported };
}

// A WebDriver session of tauri-driver (scripts/with-tauri-driver.sh) on `application`.
function driverSession(application, args = []) {
  return remote({
    hostname: '127.0.0.1',
    port: 4444,
    logLevel: 'warn',
    capabilities: { 'wdio:enforceWebDriverClassic': true, 'tauri:options': { application, args } },
  });
}

async function appMemory() {
  // The data directory comes from tauri-driver's environment (see the script).
  const browser = await driverSession(APP);
  try {
    await (await browser.$('[data-testid="balance-card"]')).waitForDisplayed({ timeout: 30000 });
    for (const s of SCREENS) {
      await (await browser.$(`a[data-nav="${s}"]`)).click();
      await settle(smoke ? 300 : 1000);
    }
    await (await browser.$('a[data-nav="balances"]')).click();
    await settle(smoke ? 500 : 3000);
    const pid = findPid('paydesk-app');
    if (!pid) throw new Error('paydesk-app process not found');
    return treePssMb(pid);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

// The empty window is opened through tauri-driver too, so both sides carry the
// same WebDriver automation session. `--lean` makes it apply the WebKit
// settings PayDesk applies (the second, like-for-like floor).
async function emptyWindowMemory(args) {
  const browser = await driverSession(EMPTY, args);
  try {
    await settle(smoke ? 2000 : 5000);
    const pid = findPid('empty_window');
    if (!pid) throw new Error('empty_window process not found');
    return treePssMb(pid);
  } finally {
    await browser.deleteSession().catch(() => {});
    await settle(500);
  }
}

async function chromiumMemory() {
  const server = await serve(resolve('dist'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${server.url}/?mock#/balances`);
    await page.getByTestId('balance-card').first().waitFor();
    for (const s of SCREENS) {
      await page.click(`a[data-nav="${s}"]`);
      await settle(smoke ? 300 : 1000);
    }
    await page.click('a[data-nav="balances"]');
    await settle(smoke ? 500 : 3000);
    // Chromium's processes are this script's descendants.
    const pids = tree(process.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').includes('chrom');
      } catch {
        return false;
      }
    });
    const kb = pids.reduce((a, p) => a + pssKb(p), 0);
    return { mb: kb / 1024, procs: pids.length, names: 'chromium' };
  } finally {
    await browser.close();
    server.close();
  }
}

const paints = [];
for (let i = 0; i < runs; i++) paints.push(await launchToFirstPaint());
const app = await appMemory();
const empty = await emptyWindowMemory([]);
const emptySoft = await emptyWindowMemory(['--lean']);
const chrome = await chromiumMemory();

const wall = median(paints.map((p) => p.wall));
const reported = median(paints.map((p) => p.reported));
const fmt = (x) => x.toFixed(1);
console.log(`launch to first paint of the home screen: median ${fmt(wall)} ms over ${runs} launches (app's own clock: ${reported} ms); target < 1500 ms`);
console.log(`PSS after opening every screen: PayDesk ${fmt(app.mb)} MB (${app.parts})`);
console.log(`baseline empty Tauri window: ${fmt(empty.mb)} MB (${empty.parts}); PayDesk / empty = ${(app.mb / empty.mb).toFixed(2)} (target <= 1.15)`);
console.log(`like-for-like: empty window with PayDesk's WebKit settings: ${fmt(emptySoft.mb)} MB (${emptySoft.parts}); PayDesk / that = ${(app.mb / emptySoft.mb).toFixed(2)}`);
console.log(`baseline headless Chromium, same UI: ${fmt(chrome.mb)} MB (${chrome.procs} processes); PayDesk / Chromium = ${(app.mb / chrome.mb).toFixed(2)} (target <= 0.60)`);
console.log(JSON.stringify({ first_paint_ms: wall, first_paint_app_ms: reported, pss_mb: app.mb, empty_window_pss_mb: empty.mb, empty_window_software_pss_mb: emptySoft.mb, chromium_pss_mb: chrome.mb }));
