import type { Messages } from '../messages.js';
import de from './de.js';
import en from './en.js';
import es from './es.js';
import fr from './fr.js';
import ja from './ja.js';
import pt from './pt.js';
import zhHans from './zh-Hans.js';

/**
 * Every built-in language. Used at build time only: the page gets just the
 * languages the config chooses, through the virtual module
 * `virtual:backsoon-locales` (see vite-plugins/pages.ts).
 */
export const BUILT_IN_LOCALES = { en, de, fr, es, pt, ja, 'zh-Hans': zhHans } satisfies Record<string, Messages>;
