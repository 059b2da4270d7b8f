// State shared across screens: profiles, settings, the current screen.
import type { AppInfo, ApprovalsList, ProfileView, Settings } from './bindings';
import { call } from './backend';
import type { StartProblem } from './backend/commands';
import { setLang } from './i18n.svelte';

export const SCREENS = ['balances', 'payout', 'batch', 'deposit', 'lookup', 'orders', 'arrivals', 'approvals', 'profiles'] as const;
export type Screen = (typeof SCREENS)[number];

export const app = $state<{
  ready: boolean;
  info: AppInfo | null;
  profiles: ProfileView[];
  settings: Settings;
  screen: Screen;
  /** Bumped by Ctrl+K so the look-up box focuses even when already shown. */
  lookupFocus: number;
  /** An order number the look-up screen opens with (a link from another screen). */
  lookupQuery: string;
  /** Show the gateways' wire names, raw requests and rarely-needed fields. */
  technical: boolean;
  /** Open and stuck orders, for the badge on the Orders entry (pushed by the sync). */
  counts: { open: number; stuck: number };
  /** Payouts and batches awaiting approval (team mode), for the badge on the Approvals entry. */
  awaiting: number;
  /** The badge is switched on in the alert settings. */
  badge: boolean;
  /** The shell could not open the desk's database at start (why, in both languages). */
  startProblem: StartProblem | null;
}>({
  startProblem: null,
  counts: { open: 0, stuck: 0 },
  awaiting: 0,
  badge: true,
  ready: false,
  info: null,
  profiles: [],
  settings: { lang: 'zh-CN', balance_refresh_minutes: 5, order_refresh_minutes: 10 },
  screen: 'balances',
  lookupFocus: 0,
  lookupQuery: '',
  technical: readTechnical(),
});

function readTechnical(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem('paydesk.technical') === '1';
  } catch {
    return false;
  }
}

export function setTechnical(on: boolean): void {
  app.technical = on;
  try {
    localStorage.setItem('paydesk.technical', on ? '1' : '0');
  } catch {
    // Kept for this session only.
  }
}

/** Fields a clerk never needs (Jeepay clientIp, channelExtra, extParam): shown with the technical details. */
export const TECHNICAL_FIELDS = ['client_ip', 'channel_extra', 'ext_param'];

/** A loopback address (the built-in sandbox): plain http:// there is not a risk worth a warning. */
export function isLoopback(url: string): boolean {
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url);
}

export function screenFromHash(hash: string): Screen {
  const s = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (SCREENS as readonly string[]).includes(s) ? (s as Screen) : 'balances';
}

export function go(screen: Screen): void {
  app.screen = screen;
  if (typeof location !== 'undefined' && location.hash !== `#/${screen}`) location.hash = `#/${screen}`;
}

export async function loadProfiles(): Promise<void> {
  app.profiles = await call('list_profiles', {});
}

export async function boot(): Promise<void> {
  // The shell started without its database (team mode with a locked or
  // absent keyring): nothing else can answer, so say why and stop here.
  const problem = await call('start_problem', {});
  if (problem) {
    app.startProblem = problem;
    return;
  }
  const [info, settings] = await Promise.all([call('app_info', {}), call('get_settings', {})]);
  app.info = info;
  app.settings = settings;
  setLang(settings.lang);
  await loadProfiles();
  app.ready = true;
  // Tell the shell when the first screen has been painted (start-up timing).
  requestAnimationFrame(() => requestAnimationFrame(() => void call('ui_ready', {}).catch(() => {})));
}

export function profileName(id: string): string {
  return app.profiles.find((p) => p.id === id)?.name ?? id;
}

/** Show one order by its number on the look-up screen. */
export function openOrder(orderNo: string): void {
  app.lookupQuery = orderNo;
  go('lookup');
}

/**
 * A gateway message worth showing a clerk: a bare protocol word ("success",
 * "ok") says the request was read, not how the order stands, and beside
 * 待处理 it misleads. Those show only with the technical details.
 */
export function gatewayWords(msg: string | null): string | null {
  if (!msg) return null;
  if (!app.technical && /^\s*(success|succeeded|ok|fail|failed|error|true|false|0|1)\s*$/i.test(msg)) return null;
  return msg;
}

/** Refreshes the Approvals badge (team mode only; a single desk has none). */
export async function loadAwaiting(): Promise<void> {
  if (!app.info?.team_database) {
    app.awaiting = 0;
    return;
  }
  const list = await call('list_approvals', {});
  app.awaiting = awaitingCount(list);
}

/** Payouts and batches (each batch counts once) waiting for a checker. */
export function awaitingCount(list: ApprovalsList): number {
  return list.approvals.filter((a) => a.status === 'awaiting_approval').length + list.batches.length;
}
