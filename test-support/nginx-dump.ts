import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SNIPPETS } from './nginx.js';
import { dumpConfig, type DumpResult } from '../cli/nginx-run.js';

/** For the tests: a real nginx configuration in a temporary prefix, and `nginx -T` run on it. */
export interface NginxTestRun extends DumpResult {
  prefix: string;
  conf: string;
}

/**
 * Writes `http` inside an http block of a minimal main file (plus `main`
 * before it and any `files`, by path relative to the prefix), then runs the
 * real `nginx -T` on it.
 */
export async function nginxTest(
  http: string,
  options: { main?: string; files?: Record<string, string>; prefix?: string } = {},
): Promise<NginxTestRun> {
  const prefix = options.prefix ?? (await mkdtemp(join(tmpdir(), 'backsoon-check-')));
  for (const [path, text] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(prefix, path)), { recursive: true });
    await writeFile(join(prefix, path), text);
  }
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `    ${t}_temp_path ${prefix}/tmp/${t};`)
    .join('\n');
  await writeFile(
    conf,
    `${options.main ?? ''}
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events {}
http {
    include /etc/nginx/mime.types;
${temp}
${http}
}
`,
  );
  return { ...dumpConfig({ conf, prefix }), prefix, conf };
}

/** The shipped snippets. */
export { SNIPPETS };

/** A page as `backsoon install` leaves it (the check only looks at the files' presence and times). */
export async function installTestPage(root: string): Promise<void> {
  await mkdir(join(root, '__backsoon'), { recursive: true });
  for (const name of [
    'index.html',
    'maintenance.html',
    'outage.json',
    'outage.txt',
    'index.html.gz',
    'maintenance.html.gz',
  ]) {
    await writeFile(join(root, '__backsoon', name), name);
  }
}

/**
 * nginxTest with the shipped snippets copied to PREFIX/snippets/backsoon
 * (included as on Debian: snippets/backsoon/… relative to nginx's folder)
 * and, unless `page` is false, a page installed in PREFIX/www. "PREFIX" in
 * `http` is replaced by the prefix.
 */
export async function nginxTestWithSnippets(
  http: string,
  options: { main?: string; page?: boolean; files?: Record<string, string> } = {},
): Promise<NginxTestRun> {
  const prefix = await mkdtemp(join(tmpdir(), 'backsoon-check-'));
  await cp(SNIPPETS, join(prefix, 'snippets/backsoon'), { recursive: true });
  if (options.page !== false) await installTestPage(join(prefix, 'www'));
  return nginxTest(http.replaceAll('PREFIX', prefix), {
    prefix,
    ...(options.main ? { main: options.main } : {}),
    ...(options.files ? { files: options.files } : {}),
  });
}
