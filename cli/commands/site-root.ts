import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from '../command.js';
import { CliError } from '../errors.js';
import { backsoonRoots, DEFAULT_PREFIX } from '../nginx-check.js';
import { readConfig, type NginxReading, type NginxTarget } from '../nginx-run.js';

/** nginx's configuration, read once (`nginx -T`) and only when a command needs it. */
export function lazyReading(target: NginxTarget): () => NginxReading {
  let reading: NginxReading | undefined;
  return () => (reading ??= readConfig(target));
}

/** Two paths name the same folder: equal once symlinks are resolved (when they exist). */
export function sameFolder(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return resolve(a) === resolve(b) || real(a) === real(b);
}

/**
 * The site's root for down / up / status: --root, else $BACKSOON_ROOT,
 * else the one root of nginx's server blocks that include backsoon (read
 * from `nginx -T`). Several roots, none, or a configuration that could not
 * be read is an error that says which, and why.
 */
export function siteRoot(
  option: string | undefined,
  io: Io,
  reading: () => NginxReading,
  prefix = DEFAULT_PREFIX,
): string {
  if (option) return resolve(option);
  if (io.env.BACKSOON_ROOT) return resolve(io.env.BACKSOON_ROOT);
  const config = reading();
  if (!config.tree)
    throw new CliError(
      `no --root given, no BACKSOON_ROOT set, and nginx's configuration could not be read to find the root: ${config.why}. Or give --root DIR`,
      2,
    );
  const roots = backsoonRoots(config.tree, prefix);
  if (roots.length === 1) {
    io.err(`(the root of nginx's server block with backsoon: ${roots[0]})\n`);
    return roots[0]!;
  }
  if (roots.length > 1)
    throw new CliError(`nginx has several roots with backsoon: ${roots.join(', ')}: give --root DIR`, 2);
  throw new CliError(
    'no --root given, no BACKSOON_ROOT set, and nginx -T shows no server block with backsoon: give --root DIR',
    2,
  );
}
