import { realpathSync, readFileSync, statSync } from 'node:fs';
import type { Io } from '../command.js';
import { CliError } from '../errors.js';
import { loadDump, NginxConfError, splitDump, type Directive } from '../nginx-conf.js';
import { explainNginxFailure } from '../nginx-errors.js';
import { dumpConfig, type NginxTarget } from '../nginx-run.js';
import { versionText } from './control.js';
import { readBuildInfo, readLayout, type BuildInfo, type Layout } from './layout.js';
import { readRecord, type InstallRecord } from './record.js';
import { findServers, type ServerSite } from './servers.js';

/** nginx's configuration as the install and the uninstall read it. */
export interface NginxContext {
  target: NginxTarget;
  dump: Map<string, string>;
  tree: Directive[];
  build: BuildInfo;
  layout: Layout;
  servers: ServerSite[];
  record: InstallRecord | undefined;
}

/**
 * Reads nginx's whole configuration with `nginx -T` (which tests it too):
 * a configuration nginx refuses before any change is the operator's to
 * fix first, as certbot's nginx plugin also requires.
 */
export async function readNginx(target: NginxTarget, state: string | undefined, io: Io): Promise<NginxContext> {
  const result = dumpConfig(target);
  if (!result.ok) {
    io.err(`${explainNginxFailure(result.messages).join('\n')}\n`);
    throw new CliError('nginx refuses its configuration as it is, before any change: fix that first (nginx -t)');
  }
  let tree: Directive[];
  try {
    tree = loadDump(result.dump);
  } catch (error) {
    if (error instanceof NginxConfError) throw new CliError(`cannot read the configuration: ${error.message}`);
    throw error;
  }
  const dump = splitDump(result.dump);
  const main = [...dump.keys()][0]!;
  const build = readBuildInfo(versionText(target));
  const layout = readLayout(tree, main, build, { prefix: target.prefix, state });
  return {
    target,
    dump,
    tree,
    build,
    layout,
    servers: findServers(tree, layout.prefix),
    record: await readRecord(layout.state),
  };
}

/** A path with links followed (a missing file stays as it is). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
