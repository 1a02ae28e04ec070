import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of backsoon's package.json, found upward from this file:
 * `cli/dist/` when run from the package, `cli/` when run from the sources.
 */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'backsoon')
      return dir;
    if (dirname(dir) === dir) throw new Error(`backsoon's package.json was not found above ${from}`);
  }
}

/** The package's manifest, for its version and its build tools. */
export function packageManifest(root = packageRoot()): { version: string; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    peerDependencies?: Record<string, string>;
  };
}
