import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dumpConfig, type DumpResult } from './nginx-run.js';

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
