import { invoke } from '@tauri-apps/api/core';
import type { Args, Backend, Command, Result } from './commands';

export const tauriBackend: Backend = {
  kind: 'tauri',
  call<K extends Command>(cmd: K, args: Args<K>): Promise<Result<K>> {
    return invoke<Result<K>>(cmd, args as Record<string, unknown>);
  },
};
