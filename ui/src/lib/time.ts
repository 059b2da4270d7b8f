import { t, tn } from './i18n.svelte';
// Times are shown in Asia/Shanghai (UTC+8, no DST) whatever the machine's zone.
const OFFSET_MS = 8 * 3600 * 1000;
const pad = (n: number) => String(n).padStart(2, '0');

/** Unix ms → "YYYY-MM-DD HH:mm:ss" in UTC+8. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms + OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "YYYY-MM-DD" (a UTC+8 calendar day) → Unix ms of its start. */
export function dayStartMs(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3]) - OFFSET_MS;
}

/** "YYYY-MM-DDTHH:mm" (datetime-local, read as UTC+8) → Unix ms. */
export function localInputToMs(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - OFFSET_MS;
}

/** Unix ms → "YYYY-MM-DDTHH:mm" in UTC+8, for datetime-local inputs. */
export function msToLocalInput(ms: number): string {
  return formatTime(ms).slice(0, 16).replace(' ', 'T');
}

/** How long ago, in words ("3 分钟前" / "3 minutes ago"). */
export function formatAge(ms: number, now = Date.now()): string {
  const min = Math.max(0, Math.floor((now - ms) / 60_000));
  if (min < 1) return t('time.justNow');
  if (min < 60) return tn('time.minutesAgo', min);
  const h = Math.floor(min / 60);
  if (h < 48) return tn('time.hoursAgo', h);
  return tn('time.daysAgo', Math.floor(h / 24));
}

/** A day as typed (2026-11-28, 2026/11/28, 2026.11.28, 20261128, 2026年11月28日) → "YYYY-MM-DD", or null. */
export function normalizeDay(s: string): string | null {
  const m = /^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?\s*$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
