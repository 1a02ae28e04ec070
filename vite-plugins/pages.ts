import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Plugin } from 'vite';
import type { Messages } from '../src/i18n/messages.js';
import { attributeName } from '../src/decide/poll-options.js';
import { KIT_PATH, PAGE_FILES, REWRITES, type PageVariant } from '../src/protocol.js';
import { loadConfig, messagesFor, type BuildConfig } from './config.js';

const VIRTUAL_LOCALES = 'virtual:backsoon-locales';
const RESOLVED_LOCALES = `\0${VIRTUAL_LOCALES}`;

/** The answer nginx gives API clients (Accept: application/json) and everything that is not a page. */
const OUTAGE_JSON = `${JSON.stringify({ error: 'unavailable', message: 'The service is temporarily unavailable. Please try again shortly.' })}\n`;
const OUTAGE_TEXT = 'The service is temporarily unavailable. Please try again shortly.\n';

/**
 * What is wrong with a built page for the rewrites of nginx and the worker
 * (REWRITES, src/protocol.ts): each string must occur exactly once, or a
 * rewrite would miss (a lost form's page going back by itself) or hit twice.
 */
export function rewriteProblems(html: string): string[] {
  return Object.values(REWRITES).flatMap(({ find }) => {
    const count = html.split(find).length - 1;
    return count === 1 ? [] : [`\`${find}\` occurs ${count} times, not once`];
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Replaces the first `search` in `text` with `replacement`, taken as it is.
 * (A string replacement given to String.replace is a pattern: `$$`, `$&` or
 * `$'` in a config string would be rewritten; a function's result is not.)
 */
export function replaceLiteral(text: string, search: string, replacement: string): string {
  return text.replace(search, () => replacement);
}

/**
 * The element with its attributes and its no-JavaScript text, in the
 * default language. The text is plain children, not <noscript>: the
 * element's shadow root has no slot, so it shows only while no script runs.
 * Without the script nothing checks by itself: the text says what happened
 * and asks the visitor to reload, never that the page takes them back.
 */
export function pageMarkup(variant: PageVariant, messages: Messages, poll: Record<string, number>): string {
  const attributes = [
    `kind="${variant}"`,
    ...Object.entries(poll).map(([name, value]) => `${attributeName(name)}="${value}"`),
  ];
  const [title, body] =
    variant === 'crash'
      ? [messages.crashTitle, messages.crashReason]
      : [messages.maintenanceTitle, messages.maintenanceReason];
  return `<backsoon-page ${attributes.join(' ')}><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p><p>${escapeHtml(messages.noScript)}</p></backsoon-page>`;
}

/**
 * index.html without what only its readers need: comments, the
 * whitespace between tags (the page's markup is blocks, whose layout
 * ignores it) and the line breaks between attributes. Every byte of the
 * page goes out on every error response.
 */
export function compactMarkup(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/>\s+</g, '><')
    .replace(/\s*\n\s*/g, ' ');
}

/**
 * The inlined script and styles without what vite-plugin-singlefile leaves
 * on them from their former <script src> and <link>: `crossorigin` (no
 * fetch left for it to govern), a <style> with `rel`, and Vite's chunk
 * marker comment in the CSS.
 */
export function tidyInlined(html: string): string {
  return html
    .replace(/<script type="module" crossorigin>/g, '<script type="module">')
    .replace(/<style rel="stylesheet" crossorigin>/g, '<style>')
    .replace(/\n?\/\*\$vite\$:\d+\*\/<\/style>/g, '</style>');
}

/** The config's theme as custom properties on :root, the logo included. */
export function themeStyle(config: BuildConfig, logoUrl: string | undefined): string {
  const declarations = Object.entries(config.theme).map(([token, value]) => `--backsoon-${token}: ${value};`);
  if (logoUrl) {
    declarations.push(`--backsoon-logo: url(${logoUrl});`);
    if (!('logo-height' in config.theme)) declarations.push('--backsoon-logo-height: 40px;');
  }
  return declarations.length > 0 ? `<style>:root { ${declarations.join(' ')} }</style>` : '';
}

/** The logo's name in the build (and under KIT_PATH), when the config names one. */
function logoFileName(config: BuildConfig): string | undefined {
  return config.logo ? `logo${extname(config.logo).toLowerCase()}` : undefined;
}

/**
 * The first half of the page's build, from index.html and
 * backsoon.config.json (a wrong config fails the build with a message
 * naming the key):
 *
 * - `virtual:backsoon-locales`: the default language's strings, inlined
 *   into the script, and the list of shipped languages;
 * - index.html: the crash page (502/504), its no-JavaScript text and title
 *   in the default language, poll options as attributes, the theme.
 *
 * The rest of the files come from `backsoonPageFiles()`, once the script is
 * inlined.
 */
export function backsoonPages(root = process.cwd()): Plugin {
  let config: BuildConfig;
  const defaultMessages = (): Messages => messagesFor(config, config.languages[0]!);

  return {
    name: 'backsoon:pages',

    buildStart() {
      config = loadConfig(root);
    },

    resolveId(id) {
      return id === VIRTUAL_LOCALES ? RESOLVED_LOCALES : undefined;
    },

    load(id) {
      if (id !== RESOLVED_LOCALES) return undefined;
      return [
        `export const defaultLocale = ${JSON.stringify(config.languages[0])};`,
        `export const defaultMessages = ${JSON.stringify(defaultMessages())};`,
        `export const available = ${JSON.stringify(config.languages)};`,
      ].join('\n');
    },

    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        config ??= loadConfig(root);
        const messages = defaultMessages();
        const logo = logoFileName(config);
        const slots: [string, string][] = [
          ['<!--backsoon:lang-->', escapeHtml(config.languages[0]!)],
          ['<!--backsoon:title-->', escapeHtml(messages.crashTitle)],
          ['<!--backsoon:theme-->', themeStyle(config, logo && `${KIT_PATH}${logo}`)],
          ['<!--backsoon:page-->', pageMarkup('crash', messages, config.poll)],
        ];
        return compactMarkup(slots.reduce((page, [slot, value]) => replaceLiteral(page, slot, value), html));
      },
    },
  };
}

/**
 * The second half: the files made from the finished crash page and the
 * config, emitted after vite-plugin-singlefile has inlined the script and
 * styles into index.html (list this plugin after that one), so that the
 * inliner sees none of them:
 *
 * - maintenance.html: the inlined crash page turned into the one for
 *   planned maintenance (503);
 * - locales/<tag>.json: every shipped language but the default;
 * - outage.json and outage.txt: what nginx sends clients that did not ask
 *   for a page;
 * - logo.* when the config names one.
 */
export function backsoonPageFiles(root = process.cwd()): Plugin {
  return {
    name: 'backsoon:page-files',
    enforce: 'post',
    apply: 'build',

    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const config = loadConfig(root);
        const messages = messagesFor(config, config.languages[0]!);
        const index = bundle[PAGE_FILES.crash];
        if (index?.type !== 'asset') return this.error('index.html is missing from the build');
        const crash = tidyInlined(String(index.source));
        index.source = crash;
        const crashPage = pageMarkup('crash', messages, config.poll);
        const crashTitle = `<title>${escapeHtml(messages.crashTitle)}</title>`;
        if (!crash.includes(crashPage) || !crash.includes(crashTitle))
          return this.error('index.html lost its page markup');
        const maintenance = replaceLiteral(
          replaceLiteral(crash, crashTitle, `<title>${escapeHtml(messages.maintenanceTitle)}</title>`),
          crashPage,
          pageMarkup('maintenance', messages, config.poll),
        );
        for (const [name, html] of [
          [PAGE_FILES.crash, crash],
          [PAGE_FILES.maintenance, maintenance],
        ] as const) {
          const problems = rewriteProblems(html);
          if (problems.length > 0)
            return this.error(
              `${name}: ${problems.join('; ')} (the server and the worker rewrite it: src/protocol.ts)`,
            );
        }
        this.emitFile({ type: 'asset', fileName: PAGE_FILES.maintenance, source: maintenance });
        for (const tag of config.languages.slice(1)) {
          this.emitFile({
            type: 'asset',
            fileName: `locales/${tag}.json`,
            source: `${JSON.stringify(messagesFor(config, tag))}\n`,
          });
        }
        this.emitFile({ type: 'asset', fileName: PAGE_FILES.json, source: OUTAGE_JSON });
        this.emitFile({ type: 'asset', fileName: PAGE_FILES.text, source: OUTAGE_TEXT });
        const logo = logoFileName(config);
        if (config.logo && logo) this.emitFile({ type: 'asset', fileName: logo, source: readFileSync(config.logo) });
      },
    },
  };
}
