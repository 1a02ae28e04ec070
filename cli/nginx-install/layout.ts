import { posix } from 'node:path';
import { children, globToRegExp, type Directive } from '../nginx-conf.js';
import { httpBlock } from './servers.js';

/**
 * Where things go on this server, read from nginx itself: its main file
 * and includes (`nginx -T`), its compiled-in paths (`nginx -V`). Debian,
 * nginx.org's packages and a hand-written nginx.conf differ in where the
 * http block reads files from and where nginx may write a cache; nothing
 * here is guessed from a distribution's name.
 */

/** What `nginx -V` says about the binary. */
export interface BuildInfo {
  version: string | undefined;
  /** --prefix: relative paths in the configuration are under it. */
  prefix: string | undefined;
  /** --http-proxy-temp-path: a folder nginx's workers write to. */
  proxyTempPath: string | undefined;
  /** njs compiled in rather than loaded as a module. */
  njsBuiltIn: boolean;
}

/** Reads `nginx -V`'s output (it writes to stderr). */
export function readBuildInfo(text: string): BuildInfo {
  const option = (name: string): string | undefined => new RegExp(`--${name}=(\\S+)`).exec(text)?.[1];
  return {
    version: /nginx version: \S+?\/(\S+)/.exec(text)?.[1],
    prefix: option('prefix'),
    proxyTempPath: option('http-proxy-temp-path'),
    njsBuiltIn: /--add-(dynamic-)?module=\S*njs/.test(text) && !/--add-dynamic-module=\S*njs/.test(text),
  };
}

export interface Layout {
  /** nginx's main file, the first of `nginx -T`. */
  main: string;
  /** Its folder: nginx reads relative include paths from there. */
  confDir: string;
  /** nginx's prefix: relative roots are under it, and a server without root uses `<prefix>/html`. */
  prefix: string;
  /** Where the kit's snippets go, and how the configuration names that folder. */
  snippets: { dir: string; include: string };
  /**
   * Where the http block's files of the kit go: a folder the http block
   * already includes `*.conf` from (conf.d on Debian and nginx.org's
   * packages), or, when it has none, conf.d beside nginx.conf and the line
   * that includes the kit's files from it.
   */
  httpFolder: { dir: string; includeLine: string | undefined };
  /** The folder the probe's caches go in: one nginx's workers already write to. */
  cacheParent: string;
  /** Whether nginx's JavaScript module is loaded (or built in): the hold needs it. */
  njs: boolean;
  /** The install's own record and backups. */
  state: string;
}

/** How the configuration names a path: relative to nginx's folder when it is under it, else absolute. */
export function confPath(confDir: string, path: string): string {
  return path.startsWith(`${confDir}/`) ? path.slice(confDir.length + 1) : path;
}

/**
 * The layout from the configuration and the binary's build.
 * @param prefix nginx's prefix as run (-p), when given
 */
export function readLayout(
  tree: Directive[],
  main: string,
  build: BuildInfo,
  options: { prefix?: string | undefined; state?: string | undefined } = {},
): Layout {
  const confDir = posix.dirname(main);
  const prefix = (options.prefix ?? build.prefix ?? '/usr/share/nginx').replace(/\/+$/, '') || '/';
  const http = httpBlock(tree);

  // conf.d/, when the http block includes its *.conf files (Debian's and
  // nginx.org's nginx.conf do). Another folder of *.conf files (sites/) is
  // the operator's, for server blocks: the kit's files do not go there.
  const included = children(http?.block, 'include')
    .map((d) => posix.resolve(confDir, d.args[0] ?? ''))
    .filter((pattern) => /\/conf\.d\/\*(\.conf)?$/.test(pattern))
    .map((pattern) => posix.dirname(pattern))[0];
  const kitGlob = posix.join(confDir, 'conf.d', 'backsoon-*.conf');
  const alreadyIncluded = children(http?.block, 'include').some((d) =>
    globToRegExp(posix.resolve(confDir, d.args[0] ?? '')).test(posix.join(confDir, 'conf.d', 'backsoon-staff.conf')),
  );
  const httpFolder =
    included !== undefined
      ? { dir: included, includeLine: undefined }
      : {
          dir: posix.join(confDir, 'conf.d'),
          includeLine: alreadyIncluded ? undefined : `include ${confPath(confDir, kitGlob)};`,
        };

  const tempPath = children(http?.block, 'proxy_temp_path')[0]?.args[0] ?? build.proxyTempPath;
  const cacheParent = tempPath ? posix.dirname(posix.resolve(prefix, tempPath)) : prefix;

  const njs =
    build.njsBuiltIn || children(tree, 'load_module').some((d) => /ngx_http_js_module\.so$/.test(d.args[0] ?? ''));
  const snippetsDir = posix.join(confDir, 'snippets', 'backsoon');
  return {
    main,
    confDir,
    prefix,
    snippets: { dir: snippetsDir, include: confPath(confDir, snippetsDir) },
    httpFolder,
    cacheParent,
    njs,
    state: options.state ?? posix.join(confDir, 'backsoon-install'),
  };
}
