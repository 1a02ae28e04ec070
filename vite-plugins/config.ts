import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolvePollOptions } from '../src/decide/poll-options.js';
import type { Messages } from '../src/i18n/messages.js';
import { BUILT_IN_LOCALES } from '../src/i18n/locales/index.js';
import { THEME_TOKENS } from '../src/protocol.js';

/**
 * The build-time configuration, read from `backsoon.config.json` at the
 * project's root (or the file named by BACKSOON_CONFIG). Every key is
 * optional; every key and value is checked, and a wrong one fails the
 * build with a message naming it.
 */
export interface BuildConfig {
  /** Languages shipped in the page, the first is the default. @default all built-in ones, "en" first */
  languages: string[];
  /** Strings that replace the built-in ones, per language: `{ "en": { "crashTitle": "…" } }`. */
  strings: Record<string, Partial<Messages>>;
  /** Values for the `--backsoon-*` custom properties, by token name without the prefix (`accent`, `accent-dark`…). */
  theme: Record<string, string>;
  /** An image file (SVG, PNG, WebP) copied into the build as the logo. */
  logo: string | undefined;
  /** Poll options written as attributes of <backsoon-page> (see src/decide/poll-options.ts). */
  poll: Record<string, number>;
}

const KEYS = ['languages', 'strings', 'theme', 'logo', 'poll'] as const;

/** Strings that were split or renamed, and what replaced them, for the error a config that still gives them gets. */
const RENAMED_STRINGS: Record<string, string> = {
  crashBody:
    'no longer exists: it was split into crashReason (what happened) and bodyReturn (what the page does: "{reason} Keep this page open…")',
  maintenanceBody:
    'no longer exists: it was split into maintenanceReason (what is happening) and bodyReturn (what the page does: "{reason} Keep this page open…")',
  statusBackUnsent:
    'no longer exists: once the site is back, the notice says unsentNoticeBack (and maybeSentNoticeBack)',
};

/** A CSS value that cannot break out of its declaration. */
const SAFE_CSS_VALUE = /^[#\w\s.,%()'"+-/]+$/;

export class ConfigError extends Error {
  constructor(where: string, message: string) {
    super(`backsoon config: ${where}: ${message}`);
    this.name = 'ConfigError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed config and fills in the defaults. @throws ConfigError naming the wrong key */
export function validateConfig(raw: unknown, baseDir = process.cwd()): BuildConfig {
  if (!isRecord(raw)) throw new ConfigError('(top)', 'must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new ConfigError(key, `unknown key (known: ${KEYS.join(', ')})`);
  }
  const builtIn = Object.keys(BUILT_IN_LOCALES);

  let languages = ['en', ...builtIn.filter((l) => l !== 'en')];
  if (raw.languages !== undefined) {
    if (
      !Array.isArray(raw.languages) ||
      raw.languages.length === 0 ||
      !raw.languages.every((l) => typeof l === 'string')
    ) {
      throw new ConfigError('languages', 'must be a non-empty list of language tags');
    }
    languages = raw.languages;
    for (const tag of languages) {
      try {
        new Intl.Locale(tag);
      } catch {
        throw new ConfigError(`languages: "${tag}"`, 'is not a valid language tag');
      }
    }
  }

  const strings: Record<string, Partial<Messages>> = {};
  if (raw.strings !== undefined) {
    if (!isRecord(raw.strings)) throw new ConfigError('strings', 'must be an object of languages');
    const keys = Object.keys(BUILT_IN_LOCALES.en);
    for (const [tag, table] of Object.entries(raw.strings)) {
      if (!languages.includes(tag)) throw new ConfigError(`strings.${tag}`, `"${tag}" is not in languages`);
      if (!isRecord(table)) throw new ConfigError(`strings.${tag}`, 'must be an object of strings');
      for (const [key, value] of Object.entries(table)) {
        if (!keys.includes(key))
          throw new ConfigError(`strings.${tag}.${key}`, RENAMED_STRINGS[key] ?? 'unknown string');
        if (typeof value !== 'string' || value.trim() === '')
          throw new ConfigError(`strings.${tag}.${key}`, 'must be a non-empty string');
      }
      strings[tag] = table;
    }
  }
  for (const tag of languages) {
    if (builtIn.includes(tag)) continue;
    const missing = Object.keys(BUILT_IN_LOCALES.en).filter((k) => !(k in (strings[tag] ?? {})));
    if (missing.length > 0)
      throw new ConfigError(
        `languages: "${tag}"`,
        `is not built in: strings.${tag} must give every string (missing: ${missing.join(', ')})`,
      );
  }

  const theme: Record<string, string> = {};
  if (raw.theme !== undefined) {
    if (!isRecord(raw.theme)) throw new ConfigError('theme', 'must be an object');
    for (const [token, value] of Object.entries(raw.theme)) {
      if (!(THEME_TOKENS as readonly string[]).includes(token))
        throw new ConfigError(`theme.${token}`, `unknown token (known: ${THEME_TOKENS.join(', ')})`);
      if (typeof value !== 'string' || !SAFE_CSS_VALUE.test(value))
        throw new ConfigError(`theme.${token}`, `"${String(value)}" is not a plain CSS value`);
      theme[token] = value;
    }
  }

  let logo: string | undefined;
  if (raw.logo !== undefined) {
    if (typeof raw.logo !== 'string' || !/\.(svg|png|webp)$/i.test(raw.logo))
      throw new ConfigError('logo', 'must be the path of an .svg, .png or .webp file');
    logo = resolve(baseDir, raw.logo);
    if (!existsSync(logo)) throw new ConfigError('logo', `${logo} does not exist`);
  }

  let poll: Record<string, number> = {};
  if (raw.poll !== undefined) {
    if (!isRecord(raw.poll)) throw new ConfigError('poll', 'must be an object');
    try {
      resolvePollOptions(raw.poll);
    } catch (error) {
      throw new ConfigError('poll', (error as Error).message.replace(/^backsoon: /, ''));
    }
    poll = raw.poll as Record<string, number>;
  }

  return { languages, strings, theme, logo, poll };
}

/** Reads the config file, if there is one. */
export function loadConfig(root: string, file = process.env.BACKSOON_CONFIG): BuildConfig {
  const path = resolve(root, file ?? 'backsoon.config.json');
  if (!existsSync(path)) {
    if (file) throw new ConfigError(path, 'BACKSOON_CONFIG names a file that does not exist');
    return validateConfig({}, root);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, `is not valid JSON (${(error as Error).message})`);
  }
  return validateConfig(raw, resolve(path, '..'));
}

/** The messages of one language: the built-in ones under the config's overrides. */
export function messagesFor(config: BuildConfig, tag: string): Messages {
  const builtIn = (BUILT_IN_LOCALES as Record<string, Messages | undefined>)[tag];
  return { ...(builtIn ?? {}), ...(config.strings[tag] ?? {}) } as Messages;
}
