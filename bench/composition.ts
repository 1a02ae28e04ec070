import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Rolldown } from 'vite';
import { REPO } from '../test-support/nginx.js';

/**
 * What the built page's gzipped bytes are made of: the floor Lit sets (a
 * minimal Lit element built by the same Vite, minified the same way) and
 * the parts of dist/index.html. Gzip sizes of parts do not add up to the
 * whole (each part compressed alone loses the others' context); the whole
 * is measured too.
 */
export interface Composition {
  /** A minimal LitElement with one property, one style and one template. */
  litFloor: number;
  /** The page's inlined script (Lit and backsoon's code). */
  script: number;
  /** The document's inlined style (the element's own style is in the script). */
  style: number;
  /** The HTML around them: CSP, no-JavaScript text, links. */
  html: number;
  /** dist/index.html as gzip_static serves it. */
  page: number;
}

const LIT_FLOOR = `
import { LitElement, css, html } from 'lit';
class Floor extends LitElement {
  static styles = css\`p { color: red }\`;
  static properties = { text: {} };
  render() { return html\`<p>\${this.text}</p>\`; }
}
customElements.define('lit-floor', Floor);
`;

const gzip = (text: string): number => gzipSync(text, { level: 9 }).length;

async function litFloor(): Promise<number> {
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    root: REPO,
    plugins: [
      {
        name: 'lit-floor',
        resolveId: (id) => (id === 'lit-floor' ? '\0lit-floor' : undefined),
        load: (id) => (id === '\0lit-floor' ? LIT_FLOOR : undefined),
      },
    ],
    build: { write: false, emptyOutDir: false, target: 'es2022', rollupOptions: { input: 'lit-floor' } },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const [first] = Array.isArray(output) ? output : [output];
  const chunk = first?.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the Lit floor build made no chunk');
  return gzip(chunk.code);
}

export async function composition(): Promise<Composition> {
  const page = await readFile(join(REPO, 'dist/index.html'), 'utf8');
  const blocks = (tag: string): string =>
    [...page.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))].map((m) => m[1]).join('');
  const html = page.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, '');
  return {
    litFloor: await litFloor(),
    script: gzip(blocks('script')),
    style: gzip(blocks('style')),
    html: gzip(html),
    page: (await readFile(join(REPO, 'dist/index.html.gz'))).length,
  };
}
