import { resolve } from 'node:path';
import type { Io } from '../command.js';
import { CliError } from '../errors.js';
import { backsoonRoots } from '../nginx-check.js';
import { loadDump } from '../nginx-conf.js';
import { dumpConfig } from '../nginx-run.js';

/**
 * The site's root for down / up / status: --root, else $BACKSOON_ROOT,
 * else the one root of nginx's server blocks that include backsoon (read
 * from `nginx -T`). Several roots, or none, is an error that lists them.
 */
export function siteRoot(option: string | undefined, io: Io): string {
  if (option) return resolve(option);
  if (io.env.BACKSOON_ROOT) return resolve(io.env.BACKSOON_ROOT);
  let roots: string[] = [];
  try {
    const result = dumpConfig({});
    if (result.ok) roots = backsoonRoots(loadDump(result.dump));
  } catch {
    roots = [];
  }
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
