// Events the shell pushes (the background sync): the Tauri events are relayed
// as window events, which is also how the mock sends them, so screens listen
// one way for both backends.
import type { SyncEvent } from '../bindings';

export interface BackendEvents {
  /** A pass checked or settled orders: reload what is on screen. */
  'orders-changed': unknown;
  /** Something the user should hear about (settled, stuck, low balance). */
  'sync-event': SyncEvent;
}
export type BackendEvent = keyof BackendEvents;
export const EVENT_NAMES: BackendEvent[] = ['orders-changed', 'sync-event'];

export function emitBackendEvent<K extends BackendEvent>(name: K, payload: BackendEvents[K]): void {
  window.dispatchEvent(new CustomEvent(`paydesk:${name}`, { detail: payload }));
}

let bridged = false;
/** Relays the shell's Tauri events once (no-op under the mock). */
export async function bridgeTauriEvents(): Promise<void> {
  if (bridged || typeof window === 'undefined' || !('__TAURI_INTERNALS__' in window)) return;
  bridged = true;
  const { listen } = await import('@tauri-apps/api/event');
  for (const name of EVENT_NAMES) {
    await listen(name, (e) => emitBackendEvent(name, e.payload as BackendEvents[typeof name]));
  }
}

/** Listen to a backend event; returns the unsubscribe function. */
export function onBackendEvent<K extends BackendEvent>(name: K, cb: (payload: BackendEvents[K]) => void): () => void {
  const h = (e: Event) => cb((e as CustomEvent<BackendEvents[K]>).detail);
  window.addEventListener(`paydesk:${name}`, h);
  return () => window.removeEventListener(`paydesk:${name}`, h);
}
