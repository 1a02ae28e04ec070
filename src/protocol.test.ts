// The server snippets cannot import src/protocol.ts: this reads them, and
// fails when a name they use drifts from the one the page, the worker and
// the command use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_FILES } from '../vite-plugins/service-worker.js';
import { REQUIRED_FILES } from '../cli/install.js';
import { REPO } from '../test-support/nginx.js';
import { KIT_PATH, MARKER_HEADER, MARKERS, PATHS, PROBE_HEADER, readMarker, REWRITES } from './protocol.js';

const SNIPPET_FOLDERS = ['nginx-snippets', 'caddy-snippets', 'haproxy-snippets', 'apache-snippets'];

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every snippet file's lines that are configuration (comments and READMEs left out). */
const snippets = SNIPPET_FOLDERS.flatMap((folder) => filesUnder(join(REPO, folder)))
  .filter((path) => !path.endsWith('.md'))
  .map((path) => ({
    name: relative(REPO, path),
    lines: readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(#|\/\/)/.test(line)),
  }));
const config = snippets.flatMap(({ name, lines }) => lines.map((line) => ({ name, line })));

/** The files a build makes: the page's (as `backsoon install` requires them), the worker's, the operator's style sheet. */
const BUILT_FILES = [...REQUIRED_FILES, ...WORKER_FILES, 'brand.css'];
/** Locations the snippets keep to themselves (`internal`), never asked by the page. */
const INTERNAL = /^_[a-z-]+$/;

describe('the snippets speak the protocol', () => {
  it('found the snippets of four servers', () => {
    for (const folder of SNIPPET_FOLDERS) expect(snippets.some((s) => s.name.startsWith(folder))).toBe(true);
  });

  it('set the marker header to known markers only', () => {
    const values = config.flatMap(({ name, line }) => {
      const match = new RegExp(`\\b${MARKER_HEADER}\\b(?!-)[\\s:"]+([a-z]+)`, 'i').exec(line);
      return match ? [{ name, line: line.trim(), value: match[1]! }] : [];
    });
    expect(values.length).toBeGreaterThanOrEqual(10);
    for (const { value, name, line } of values) expect(MARKERS, `${name}: ${line}`).toContain(value);
    // Each marker is set somewhere, and read back as itself.
    for (const marker of MARKERS) {
      expect(
        values.some((v) => v.value === marker),
        marker,
      ).toBe(true);
      expect(readMarker(` ${marker.toUpperCase()} `)).toBe(marker);
    }
  });

  it("name the probe's header as the page reads it", () => {
    const probe = config.filter(({ line }) => line.includes(`${MARKER_HEADER}-`));
    expect(probe.length).toBeGreaterThan(0);
    for (const { line } of probe) expect(line).toContain(PROBE_HEADER);
  });

  it('ask only for paths of the kit that exist', () => {
    const known = new Set([
      ...Object.values(PATHS).map((path) => path.split('?')[0]!.slice(KIT_PATH.length)),
      ...BUILT_FILES,
    ]);
    const used = config.flatMap(({ name, line }) =>
      [...line.matchAll(/\/__backsoon\/([A-Za-z0-9_.-]+)/g)].map((m) => ({ name, line: line.trim(), file: m[1]! })),
    );
    expect(used.length).toBeGreaterThan(20);
    for (const { name, line, file } of used) {
      expect(known.has(file) || INTERNAL.test(file), `${name}: ${line}`).toBe(true);
    }
  });

  it("rewrite the page's strings exactly as the worker does", () => {
    const nginx = config.filter(({ line }) => /^\s*sub_filter\s/.test(line)).map(({ line }) => line.trim());
    const unquote = (s: string) => s.replace(/\\"/g, '"');
    const pairs = nginx.map((line) => {
      const [, find, replace] = /^sub_filter\s+"((?:[^"\\]|\\.)*)"\s+"((?:[^"\\]|\\.)*)";$/.exec(line) ?? [];
      return { find: unquote(find ?? ''), replace: unquote(replace ?? '') };
    });
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const { find, replace } of pairs) {
      const rewrite = Object.values(REWRITES).find((r) => r.find === find);
      expect(rewrite, `sub_filter "${find}"`).toBeDefined();
      if (rewrite && 'replace' in rewrite) expect(replace).toBe(rewrite.replace);
      else expect(replace.startsWith(find)).toBe(true);
    }
  });
});
