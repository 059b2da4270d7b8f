// Browser journeys against the built UI with the mock backend, in Debian's
// chromium through playwright-core (no downloaded browser).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { journeys } from './journeys.mjs';

const ui = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(ui, 'dist');
const shots = resolve(ui, '..', 'artifacts', 'screenshots', 'browser');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

function buildIfNeeded() {
  const index = join(dist, 'index.html');
  const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newest(join(ui, p)));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...inputs)) return;
  console.log('building ui/dist …');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ui, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const only = process.argv.slice(2);
buildIfNeeded();
mkdirSync(shots, { recursive: true });
for (const f of readdirSync(shots)) if (f.startsWith('FAILED-')) rmSync(join(shots, f));
const server = await serve(dist);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let passed = 0;
let failed = 0;
for (const j of journeys) {
  if (only.length && !only.includes(j.name)) continue;
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  const problems = [];
  const dialogs = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const t0 = Date.now();
  try {
    await j.run({
      page,
      base: server.url,
      dialogs,
      shot: (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: false }),
    });
    if (problems.length) throw new Error(problems.join('\n'));
    passed++;
    console.log(`✓ ${j.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`✗ ${j.name}: ${e instanceof Error ? e.message : e}`);
    await page.screenshot({ path: join(shots, `FAILED-${j.name}.png`) }).catch(() => {});
  } finally {
    await context.close();
  }
}
await browser.close();
await server.close();
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
