/**
 * `npm run release`: writes backsoon-<version>.tar.gz, the kit for servers
 * without Node: the built page (dist/), the snippets of every server, and
 * the README. Run after the build (the npm script builds first).
 *
 *   tsx scripts/release.ts [--out DIR]     (default: the repository's root)
 *
 * The archive is the same bytes for the same files: names sorted, owner
 * root, times from SOURCE_DATE_EPOCH (or the last commit), no gzip time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync, constants } from 'node:zlib';
import { REPO } from '../test-support/nginx.js';

/** What the archive holds, from the repository's root; the snippet folders that exist. */
export const RELEASE_CONTENTS = [
  'dist',
  'nginx-snippets',
  'caddy-snippets',
  'haproxy-snippets',
  'apache-snippets',
  'README.md',
];

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

function sourceDate(): string {
  if (process.env.SOURCE_DATE_EPOCH) return process.env.SOURCE_DATE_EPOCH;
  const commit = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' });
  return commit.status === 0 && commit.stdout.trim() ? commit.stdout.trim() : String(Math.floor(Date.now() / 1000));
}

/** Writes the archive into `outDir`; returns its path. */
export async function writeRelease(outDir: string): Promise<string> {
  if (!existsSync(join(REPO, 'dist/index.html')))
    throw new Error('dist/index.html is missing: run npm run release (it builds first)');
  const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const name = `backsoon-${version}`;
  const staging = await mkdtemp(join(tmpdir(), 'backsoon-release-'));
  try {
    for (const entry of RELEASE_CONTENTS) {
      if (existsSync(join(REPO, entry))) {
        // TypeScript stays home: nginx-snippets/njs/ has the hold's unit
        // test and the njs globals of its type check (njs.d.ts) beside it.
        await cp(join(REPO, entry), join(staging, name, entry), {
          recursive: true,
          filter: (source) => !source.endsWith('.ts'),
        });
      }
    }
    const tarball = spawnSync(
      'tar',
      [
        '--sort=name',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        `--mtime=@${sourceDate()}`,
        '--mode=u+rw,go+r,go-w',
        '-cf',
        '-',
        name,
      ],
      { cwd: staging, maxBuffer: 256 * 1024 * 1024 },
    );
    if (tarball.status !== 0) throw new Error(`tar failed: ${tarball.stderr.toString()}`);
    const out = join(outDir, `${name}.tar.gz`);
    // zlib writes no time and no name in the gzip header.
    await writeFile(out, gzipSync(tarball.stdout, { level: constants.Z_BEST_COMPRESSION }));
    return out;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = await writeRelease(resolve(values.out ?? REPO));
  const files = run('tar', ['-tzf', out], REPO)
    .trim()
    .split('\n')
    .filter((line) => !line.endsWith('/'));
  console.log(`${out}: ${((await stat(out)).size / 1024).toFixed(1)} KB, ${files.length} files`);
}
