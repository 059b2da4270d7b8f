import { execFileSync, spawn } from 'node:child_process';
// End-to-end in the real webview: the built PayDesk app driven through
// tauri-driver + WebKitWebDriver, against the built-in sandbox gateways.
// Run by scripts/e2e-desktop.sh (which starts Xvfb, a keyring and tauri-driver).
import { remote } from 'webdriverio';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const app = process.env.PAYDESK_APP;
const shots = resolve(process.env.PAYDESK_SHOTS || '../artifacts/screenshots/desktop');
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
const results = [];

function assert(cond, what) {
  if (!cond) throw new Error(`assertion failed: ${what}`);
}

async function until(fn, what, ms = 15000) {
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < ms) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

// The notification daemon's side: every call on the org.freedesktop.Notifications
// interface of this session bus (the app's own, started by with-keyring.sh).
let busLog = '';
const monitor = process.env.DBUS_SESSION_BUS_ADDRESS
  ? spawn('dbus-monitor', ['--session', "interface='org.freedesktop.Notifications'"], { stdio: ['ignore', 'pipe', 'ignore'] })
  : null;
monitor?.stdout.on('data', (d) => (busLog += d.toString('utf8')));

const browser = await remote({
  hostname: '127.0.0.1',
  port: 4444,
  logLevel: 'warn',
  capabilities: {
    // WebKitWebDriver speaks classic WebDriver only.
    'wdio:enforceWebDriverClassic': true,
    'tauri:options': { application: app },
  },
});

const $t = (id) => browser.$(`[data-testid="${id}"]`);
// PAYDESK_NO_SHOTS=1: no screenshots, so the webview can run with PayDesk's
// own settings (WebKitWebDriver's screenshot hangs with compositing off).
const shot = (name) => (process.env.PAYDESK_NO_SHOTS ? Promise.resolve() : browser.saveScreenshot(`${shots}/${name}.png`));
const text = async (el) => (await el.getText()).trim();

async function nav(screen) {
  await (await browser.$(`a[data-nav="${screen}"]`)).click();
}

// Picks the option whose label contains `needle` (Svelte binds on `change`).
async function selectOption(id, needle) {
  const ok = await browser.execute(
    (id, needle) => {
      const s = document.getElementById(id);
      if (!s) return false;
      const o = [...s.options].find((o) => o.textContent.includes(needle) && !o.disabled);
      if (!o) return false;
      s.value = o.value;
      s.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    id,
    needle,
  );
  assert(ok, `option ${needle} in #${id}`);
}

async function fill(id, value) {
  const el = await browser.$(`#${id}`);
  await el.waitForDisplayed({ timeout: 10000 });
  await el.setValue(value);
}

const state = {};

// CPU seconds used so far by the app (every thread: the run, the in-process
// sandbox, the main thread) and by each of its WebKit child processes, read
// from /proc: where a run's time goes, beside the frame figures.
function cpuOfApp() {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = st.lastIndexOf(')');
      const f = st.slice(close + 2).split(' ');
      procs.set(Number(d), { comm: st.slice(st.indexOf('(') + 1, close), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  const out = {};
  for (const [pid, p] of procs) {
    let exe = '';
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      continue;
    }
    if (exe !== resolve(app)) continue;
    out.app = (out.app ?? 0) + p.cpu;
    for (const [, c] of procs) if (c.ppid === pid) out[c.comm] = (out[c.comm] ?? 0) + c.cpu;
  }
  return out;
}
const cpuSince = (a, b) => Object.entries(b).map(([k, v]) => `${k} ${(v - (a[k] ?? 0)).toFixed(2)} s`).join(', ');

// An order's history through the app's own IPC (what the timeline shows).
async function orderEvents(orderNo) {
  return browser.execute(async (no) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const [order] = (await invoke('find_orders', { query: no })).filter((o) => o.order_no === no);
    return order ? invoke('order_events', { id: order.id }) : [];
  }, orderNo);
}

const steps = [
  [
    'first run offers the sandbox and the balances show real sandbox readings',
    async () => {
      const welcome = await $t('welcome');
      await welcome.waitForDisplayed({ timeout: 30000 });
      await shot('welcome');
      await (await welcome.$('button.btn-primary')).click();
      await until(async () => (await browser.$$('[data-testid="balance-card"]')).length === 5, 'five sandbox balance cards');
      assert((await browser.$$('[data-testid="sandbox-badge"]')).length >= 5, 'sandbox badges');
      await until(async () => {
        for (const a of await browser.$$('[data-testid="balance-amount"]')) {
          if ((await a.getText()).includes('¥')) return true;
        }
        return false;
      }, 'a balance amount from the sandbox');
      await until(async () => (await browser.$$('[data-testid="balance-card"][aria-busy="true"]')).length === 0, 'all balance cards settled');
      await shot('balances');
    },
  ],
  [
    'payout on jstpay: rendered form, bank picker, confirm with capitals, sent once',
    async () => {
      await nav('payout');
      await selectOption('payout-profile', 'jstpay');
      await (await browser.$('[data-field="bank_name"]')).waitForDisplayed({ timeout: 10000 });
      await fill('payout-amount', '100');
      await fill('payout-payee_name', '张三');
      await fill('payout-account_no', '6222020200112233445');
      await (await browser.$('#payout-bank_name')).click();
      await browser.keys('gsyh'.split(''));
      await until(async () => (await text(await browser.$('#payout-bank_name-list li'))).includes('中国工商银行'), 'gsyh finds 中国工商银行');
      await browser.keys(['Enter']);
      await fill('payout-branch', '上海分行');
      await fill('payout-province', '上海市');
      await fill('payout-city', '上海市');
      await shot('payout-form');
      await (await $t('form-submit')).click();
      const confirm = await $t('payout-confirm');
      await confirm.waitForDisplayed({ timeout: 10000 });
      assert((await text(await confirm.$('[data-testid="amount-in-words"]'))) === '壹佰元整', 'amount in capitals');
      assert((await text(await confirm.$('[data-testid="confirm-account"]'))) === '6222020200112233445', 'full account number');
      // The send button is inert while the figures are read, and focus starts on Back.
      assert((await browser.execute(() => document.activeElement?.getAttribute('data-testid'))) === 'back-payout', 'focus on Back');
      await until(async () => (await confirm.getAttribute('data-armed')) === 'true', 'send goes live');
      await shot('payout-confirm');
      await (await $t('send-payout')).click();
      const sent = await $t('payout-sent');
      await sent.waitForDisplayed({ timeout: 20000 });
      state.payoutNo = await text(await sent.$('[data-testid="order-no"]'));
      assert(/^PDP\d{15}[0-9A-Z]{8}$/.test(state.payoutNo), `generated order number ${state.payoutNo}`);
      const status = await (await sent.$('[data-status]')).getAttribute('data-status');
      assert(['pending', 'processing'].includes(status), `status after sending: ${status}`);
      await shot('payout');
    },
  ],
  [
    'the payout settles on screen without any click, through the sandbox\'s callback, and a desktop alert is raised',
    async () => {
      // Demo mode: the sandbox settles payouts after 20 s and calls the app's
      // own loopback listener back at once (between the sync's checks at 15 s
      // and 30 s); the shell pushes the change to the open detail.
      const sent = await $t('payout-sent');
      await until(
        async () => (await (await sent.$('[data-status]')).getAttribute('data-status')) === 'succeeded',
        'the payout shown as succeeded with no click',
        120000,
      );
      assert((await text(await sent.$('[data-testid="sync-last"]'))) !== '尚未查询', 'last check shown');
      // Settled through the callback, not only through sync: its history has
      // the JSTpay receive check and the `completed` callback, which moved it.
      state.events = await orderEvents(state.payoutNo);
      const cb = state.events.find((e) => e.action === 'notify');
      assert(cb && cb.status === 'succeeded', `a callback event settled it (${JSON.stringify(state.events.map((e) => [e.action, e.status]))})`);
      assert(state.events.some((e) => e.action === 'notify.receive_check'), 'the receive check was answered');
      const firstSucceeded = state.events.find((e) => e.status === 'succeeded');
      assert(firstSucceeded.action === 'notify', `the callback, not a query, moved it (${firstSucceeded.action})`);
      // The test hook: the alerts the shell raised (and sent to the notification daemon).
      const alerts = await browser.execute(() => window.__TAURI_INTERNALS__.invoke('raised_alerts'));
      assert(
        alerts.some((a) => a.kind === 'payout_succeeded' && a.body.includes(state.payoutNo)),
        `a payout-succeeded alert for ${state.payoutNo} (${JSON.stringify(alerts)})`,
      );
      // And the notification reached the session bus: a Notify call whose
      // summary is the alert's title and whose body names the payout.
      assert(monitor, 'a session bus to watch');
      await until(
        () => /member=Notify\b[\s\S]*string "代付成功"/.test(busLog) && busLog.includes(state.payoutNo),
        `a Notify call with the summary 代付成功 on the session bus (${busLog.slice(-800)})`,
        10000,
      );
      await shot('payout-settled');
    },
  ],
  [
    'Chinese text has a CJK font on this machine (a box per character without one)',
    async () => {
      const family = execFileSync('fc-match', ['-f', '%{family}', 'sans-serif:lang=zh-cn'], { encoding: 'utf8' });
      assert(/CJK|Hei|WenQuanYi|Source Han/i.test(family), `fc-match sans-serif:lang=zh-cn gives a CJK font (${family})`);
    },
  ],
  [
    'deposit on jstpay: the payUrl as a QR code',
    async () => {
      await nav('deposit');
      await selectOption('deposit-profile', 'jstpay');
      await (await browser.$('#deposit-channel')).waitForDisplayed({ timeout: 10000 });
      await fill('deposit-amount', '100');
      await (await $t('form-submit')).click();
      const result = await $t('deposit-result');
      await result.waitForDisplayed({ timeout: 20000 });
      await until(async () => (await browser.$$('[data-testid="qr"] svg')).length === 1, 'QR code rendered');
      const url = await text(await $t('pay-url-text'));
      assert(url.startsWith('http://127.0.0.1:'), `pay URL from the sandbox: ${url}`);
      await shot('deposit');
    },
  ],
  [
    'look up the payout by its order number and ask the gateway',
    async () => {
      await nav('lookup');
      const input = await $t('lookup-input');
      await input.waitForDisplayed({ timeout: 10000 });
      await input.setValue(state.payoutNo);
      const detail = await $t('order-detail');
      await detail.waitForDisplayed({ timeout: 10000 });
      assert((await text(await detail.$('[data-testid="order-no"]'))) === state.payoutNo, 'found by order number');
      await (await detail.$('[data-testid="query-status"]')).click();
      await until(async () => (await browser.$$('[data-testid="timeline"] li')).length >= 3, 'timeline with the query');
      // The create's first step (written before the request left) reads as submitting, not unknown.
      assert((await browser.$$('[data-testid="timeline"] [data-status="submitting"]')).length === 1, 'first step says submitting');
      // The order detail shows the gateway's callback as its own step.
      const cb = await browser.$('[data-testid="timeline"] li[data-action="notify"]');
      assert(await cb.isExisting(), 'the callback in the timeline');
      assert((await text(cb)).includes('网关回调'), `the callback named: ${await text(cb)}`);
      await shot('lookup');
    },
  ],
  [
    'orders, arrivals and profiles screens',
    async () => {
      await nav('orders');
      await $t('order-table').then((t) => t.waitForDisplayed({ timeout: 10000 }));
      await until(async () => (await browser.$$(`[data-order-no="${state.payoutNo}"]`)).length === 1, 'the payout in the history');
      await shot('orders');
      await nav('arrivals');
      await browser.pause(500);
      await shot('arrivals');
      await nav('profiles');
      await $t('profiles-table').then((t) => t.waitForDisplayed({ timeout: 10000 }));
      const html = await browser.getPageSource();
      assert(!html.includes('sandbox-jstpay-hash-key'), 'no secret in the DOM');
      await shot('profiles');
    },
  ],
  [
    'batch on jstpay: 200 rows imported with control totals, reviewed, confirmed, run to done, frame times printed',
    async () => {
      // The payday file, as a clerk would save it from the template (UTF-8, zh headers).
      const n = 200;
      const lines = ['收款人户名,收款卡号,收款银行,开户支行,开户省份,开户城市,金额（元）'];
      let totalFen = 0;
      for (let i = 1; i <= n; i++) {
        // jstpay takes whole yuan only (PROVIDERS.md).
        const fen = (10 + (i % 50)) * 100;
        totalFen += fen;
        lines.push(`收款人${i},62220202${String(5000 + i).padStart(11, '0')},中国工商银行,上海分行,上海市,上海市,${(fen / 100).toFixed(2)}`);
      }
      const file = join(mkdtempSync(join(tmpdir(), 'paydesk-batch-')), 'payday.csv');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const totalYuan = (totalFen / 100).toFixed(2);
      const cny = `¥ ${Number(totalYuan).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;

      await nav('batch');
      await $t('batch-screen').then((s) => s.waitForDisplayed({ timeout: 10000 }));
      await selectOption('batch-profile', 'jstpay');
      await fill('batch-count', String(n));
      await fill('batch-total', totalYuan);
      // The import button opens the native file dialog (batch_import with no
      // path), which WebDriver cannot drive: stand in for the dialog by giving
      // that one call the file's path, the argument the command already takes
      // (as "import again" does). Test-side only; the product is unchanged.
      const hooked = await browser.execute((p) => {
        const real = window.__TAURI_INTERNALS__;
        const shim = Object.create(real);
        Object.defineProperty(shim, 'invoke', {
          value: (cmd, args, opts) => real.invoke(cmd, cmd === 'batch_import' && args && args.path == null ? { ...args, path: p } : args, opts),
        });
        window.__TAURI_INTERNALS__ = shim;
        return window.__TAURI_INTERNALS__ === shim;
      }, file);
      if (hooked) {
        await (await $t('batch-import')).click();
      } else {
        // The internals could not be wrapped: import through the same IPC
        // command with the path, then open the batch from the screen's list.
        const res = await browser.execute(
          (p, count, total) =>
            window.__TAURI_INTERNALS__.invoke('batch_import', {
              profile: document.getElementById('batch-profile').value, path: p, sheet: null, expectCount: count, expectTotal: total,
              allowDuplicates: false, acceptedDuplicates: [], allowSameFile: false,
            }),
          file, n, totalYuan,
        );
        await nav('payout');
        await nav('batch');
        const open = await browser.$(`[data-testid="batch-list"] tr[data-batch="${res.detail.batch.id}"] button`);
        await open.waitForDisplayed({ timeout: 10000 });
        await open.click();
      }
      // An error report instead of the review fails here with its first lines.
      await until(async () => (await (await $t('batch-review')).isDisplayed()) || (await (await $t('batch-report')).isDisplayed()), 'the review', 30000);
      const report = await $t('batch-report');
      assert(!(await report.isExisting()), `no error report: ${(await report.isExisting()) ? (await text(report)).slice(0, 300) : ''}`);
      assert((await text(await $t('batch-count'))) === String(n), `count ${n}`);
      assert((await text(await $t('batch-total'))) === cny, `total ${cny}: ${await text(await $t('batch-total'))}`);
      const capital = await text(await $t('batch-capital'));
      assert(capital === '陆仟玖佰元整', `total in capitals: ${capital}`);
      assert((await browser.$$('[data-testid="batch-rows"] [data-row]')).length > 0, 'the rows listed');
      await shot('batch-review');
      await (await $t('batch-to-confirm')).click();
      const confirm = await $t('batch-confirm');
      await confirm.waitForDisplayed({ timeout: 10000 });
      assert((await text(await $t('batch-confirm-total'))) === cny, 'the confirm names the total');
      await until(async () => await (await $t('batch-send')).isEnabled(), 'send goes live');
      await shot('batch-confirm');
      // The progress events the webview receives during the run, counted by
      // a listener of the test's own (through Tauri's event plugin, as the
      // screen's listener is registered), with the rows they carry.
      await browser.execute(() => {
        const t = window.__TAURI_INTERNALS__;
        window.__progress = { events: 0, rows: 0, other: 0 };
        const handler = t.transformCallback((e) => {
          if (e.event !== 'batch-progress') return void window.__progress.other++;
          window.__progress.events++;
          window.__progress.first ??= performance.now();
          window.__progress.last = performance.now();
          window.__progress.rows += e.payload.rows.length;
        });
        // And the events that make other parts of the window reload.
        return Promise.all(
          ['batch-progress', 'orders-changed', 'sync-event'].map((event) => t.invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler })),
        );
      });
      // Frame times while the run goes: every animation frame's delta until stopped.
      await browser.execute(() => {
        const f = (window.__frames = []);
        window.__framesOn = true;
        let last = performance.now();
        window.__frameAt = [];
        const tick = (t) => {
          f.push(t - last);
          window.__frameAt.push(t);
          last = t;
          if (window.__framesOn) requestAnimationFrame(tick);
        };
        requestAnimationFrame((t) => {
          last = t;
          requestAnimationFrame(tick);
        });
      });
      // The same screen idle for 1.5 s first: what a frame costs here at rest.
      const cpuIdle0 = cpuOfApp();
      const idleT0 = Date.now();
      await new Promise((r) => setTimeout(r, 1500));
      const cpuIdle = cpuSince(cpuIdle0, cpuOfApp());
      const idleSecs = (Date.now() - idleT0) / 1000;
      const idle = await browser.execute(() => {
        const f = window.__frames.slice();
        window.__frames.length = 0;
        return f;
      });
      {
        const s = [...idle].sort((a, b) => a - b);
        console.log(`    idle before the run: ${idle.length} frames, median ${(s[Math.floor(s.length / 2)] ?? 0).toFixed(1)} ms, longest ${(s[s.length - 1] ?? 0).toFixed(1)} ms; CPU in ${idleSecs.toFixed(1)} s: ${cpuIdle}`);
      }
      const cpuRun0 = cpuOfApp();
      const runT0 = Date.now();
      await (await $t('batch-send')).click();
      const run = await $t('batch-run');
      await run.waitForDisplayed({ timeout: 20000 });
      // Waited for inside the page (one WebDriver command, not one every
      // 150 ms, each of which would run script in the webview being measured).
      await browser.setTimeout({ script: 240000 });
      const ended = await browser.executeAsync((done) => {
        const check = () => {
          const st = document.querySelector('[data-testid="batch-run"]')?.getAttribute('data-state');
          if (st && st !== 'running') done(st);
          else setTimeout(check, 100);
        };
        check();
      });
      assert(ended === 'done', `the batch done: ${ended}`);
      const [frames, frameAt] = await browser.execute(() => {
        window.__framesOn = false;
        return [window.__frames, window.__frameAt.slice(-window.__frames.length)];
      });
      const runSecs = (Date.now() - runT0) / 1000;
      const cpuRun = cpuSince(cpuRun0, cpuOfApp());
      const progress = await browser.execute(() => window.__progress);
      const sent = await text(await $t('batch-sent'));
      assert(sent.startsWith(`${n} / ${n}`), `all rows sent: ${sent}`);
      assert((await text(await $t('batch-failed'))) === '0', 'no row failed');
      assert((await text(await $t('batch-unknown'))) === '0', 'no row unknown');
      assert((await text(await $t('batch-amount-sent'))) === cny, 'amount sent is the total');
      // Exactly once: each row's order number is a distinct order in the history.
      const id = Number((await (await run.$('h2')).getText()).match(/#(\d+)/)[1]);
      const detail = await browser.execute((id) => window.__TAURI_INTERNALS__.invoke('batch_show', { id }), id);
      const nos = new Set(detail.rows.map((r) => r.order_no));
      assert(detail.rows.length === n && nos.size === n, `${n} rows with distinct order numbers (${detail.rows.length}, ${nos.size})`);
      // The screen ends as the batch is stored: every row it renders, scrolled
      // from the top to the bottom of the list, shows the stored status.
      const stored = new Map(detail.rows.map((r) => [String(r.row), r.status]));
      const seen = new Set();
      for (let top = 0; ; top += 300) {
        const shown = await browser.execute((top) => {
          const list = document.querySelector('[data-testid="batch-rows"]');
          list.scrollTop = top;
          list.dispatchEvent(new Event('scroll'));
          return new Promise((res) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() =>
                res({
                  end: list.scrollTop + list.clientHeight >= list.scrollHeight - 1,
                  rows: [...list.querySelectorAll('[data-row]')].map((e) => [e.dataset.row, e.dataset.status]),
                }),
              ),
            ),
          );
        }, top);
        for (const [row, status] of shown.rows) {
          assert(stored.get(row) === status, `row ${row} shown ${status}, stored ${stored.get(row)}`);
          seen.add(row);
        }
        if (shown.end) break;
      }
      assert(seen.size === n, `every row seen on screen: ${seen.size}`);
      assert(progress.events < n, `progress coalesced: ${progress.events} events for ${n} rows`);
      assert(frames.length > 5, `frames measured: ${frames.length}`);
      const sorted = [...frames].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      const longest = sorted.at(-1);
      console.log(`    ${n}-row batch run: ${frames.length} frames, median ${median.toFixed(1)} ms, longest ${longest.toFixed(1)} ms; ${progress.events} progress events carrying ${progress.rows} rows, ${progress.other} other events`);
      // Where the long frames fall: ms after the first progress event (the
      // run screen is drawn before it; the last event is at the end given).
      const long = frames.flatMap((d, i) => (d > 100 ? [`${d.toFixed(0)} ms at ${(frameAt[i] - progress.first).toFixed(0)}`] : []));
      console.log(`    frames over 100 ms: ${long.join(', ') || 'none'} (first to last progress event: ${(progress.last - progress.first).toFixed(0)} ms)`);
      console.log(`    CPU during the run (${runSecs.toFixed(1)} s, load average ${loadavg()[0].toFixed(1)}): ${cpuRun}`);
      // A figure, printed beside the idle one (docs/BENCHMARKS.md), not a
      // timed assertion: the target is no frame over 100 ms.
      const webview = process.env.WEBKIT_DISABLE_COMPOSITING_MODE === '1' ? "PayDesk's own webview settings" : 'compositing on (software GL, for screenshots)';
      console.log(`    FRAMES target: no frame over 100 ms while a batch runs: ${longest <= 100 ? 'met' : 'NOT met'} (${webview}; load average ${loadavg()[0].toFixed(1)})`);
      await shot('batch-done');
    },
  ],
];

// PAYDESK_JOURNEY_ONLY=batch: the first step (the sandbox profiles) and the
// steps whose name starts with that word, for iterating on one part.
const only = process.env.PAYDESK_JOURNEY_ONLY;
const chosen = only ? steps.filter(([name], i) => i === 0 || name.startsWith(only)) : steps;

try {
  for (const [name, run] of chosen) {
    try {
      await run();
      passed++;
      results.push(`ok   ${name}`);
    } catch (e) {
      failed++;
      results.push(`FAIL ${name}: ${e.message}`);
      await shot(`failure-${passed + failed}`).catch(() => {});
    }
  }
} finally {
  await browser.deleteSession().catch(() => {});
  monitor?.kill();
}
console.log(results.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
