// Batch run progress arrives as events pushed by the backend (the Tauri
// `batch-progress` event, or the mock's window event), never by polling.
import type { BatchProgress, ErrorInfo } from '../bindings';

export const BATCH_PROGRESS = 'batch-progress';
export const BATCH_ERROR = 'batch-error';
/** The mock re-dispatches its events on `window` under this prefix. */
export const MOCK_EVENT_PREFIX = 'paydesk:';

export type BatchError = { batch_id: number; error: ErrorInfo };

function mockMode(): boolean {
  if (typeof window === 'undefined') return true;
  if (new URLSearchParams(window.location.search).has('mock')) return true;
  return !('__TAURI_INTERNALS__' in window);
}

/** Subscribe to progress and errors of batch runs; returns the unsubscribe. */
export function onBatchEvents(onProgress: (p: BatchProgress) => void, onError: (e: BatchError) => void): () => void {
  if (mockMode()) {
    const p = (e: Event) => onProgress((e as CustomEvent<BatchProgress>).detail);
    const f = (e: Event) => onError((e as CustomEvent<BatchError>).detail);
    window.addEventListener(MOCK_EVENT_PREFIX + BATCH_PROGRESS, p);
    window.addEventListener(MOCK_EVENT_PREFIX + BATCH_ERROR, f);
    return () => {
      window.removeEventListener(MOCK_EVENT_PREFIX + BATCH_PROGRESS, p);
      window.removeEventListener(MOCK_EVENT_PREFIX + BATCH_ERROR, f);
    };
  }
  let stopped = false;
  const unlisten: (() => void)[] = [];
  void import('@tauri-apps/api/event').then(async ({ listen }) => {
    const a = await listen<BatchProgress>(BATCH_PROGRESS, (e) => onProgress(e.payload));
    const b = await listen<BatchError>(BATCH_ERROR, (e) => onError(e.payload));
    if (stopped) {
      a();
      b();
    } else unlisten.push(a, b);
  });
  return () => {
    stopped = true;
    unlisten.forEach((u) => u());
  };
}
