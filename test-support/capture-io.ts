import type { Io } from '../cli/command.js';

/** The command's Io for a test: output kept, a fixed clock (2026-11-21 14:00 UTC), the given environment. */
export function captureIo(env: NodeJS.ProcessEnv = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    now: () => Date.parse('2026-11-21T14:00:00Z'),
    env,
    stdin: async () => '',
    stdout: () => out,
    stderr: () => err,
  };
}
