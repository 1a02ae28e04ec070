import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './nginx.js';

// The README is short and the rest lives in pages under docs/: every link
// between them must land on a file, and on a heading of it when it names one.

const DOCS = [
  'README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...['nginx', 'caddy', 'haproxy', 'apache'].map((server) => `${server}-snippets/README.md`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .trim()
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchor(m[1]!)));
}

describe('the docs’ links', () => {
  it.each(DOCS)('%s links to files and headings that exist', (doc) => {
    const text = readFileSync(join(REPO, doc), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, hash] = target!.split('#');
      const file = path ? join(REPO, dirname(doc), path) : join(REPO, doc);
      if (!existsSync(file)) broken.push(`${target} (no ${relative(REPO, file)})`);
      else if (hash && file.endsWith('.md') && !anchors(file).has(hash)) broken.push(`${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});
