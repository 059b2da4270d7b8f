import type { Args, Backend, Command, Result } from './commands';
import { toErrorInfo } from './commands';
import { tauriBackend } from './tauri';

export { toErrorInfo };
export type { Backend };

function useMock(): boolean {
  if (typeof window === 'undefined') return true;
  if (new URLSearchParams(window.location.search).has('mock')) return true;
  return !('__TAURI_INTERNALS__' in window);
}

let backend: Backend | null = null;
let loading: Promise<Backend> | null = null;

/** The mock is loaded only when used, so the desktop build does not run it. */
async function getBackend(): Promise<Backend> {
  if (backend) return backend;
  loading ??= useMock()
    ? import('./mock').then((m) => m.createMockBackend(new URLSearchParams(window.location.search)))
    : Promise.resolve(tauriBackend);
  backend = await loading;
  return backend;
}

/** For tests: use a given backend. */
export function setBackend(b: Backend): void {
  backend = b;
}

/** Call a command; rejections are always an `ErrorInfo`. */
export async function call<K extends Command>(cmd: K, args: Args<K>): Promise<Result<K>> {
  const b = await getBackend();
  try {
    return await b.call(cmd, args);
  } catch (e) {
    throw toErrorInfo(e);
  }
}
