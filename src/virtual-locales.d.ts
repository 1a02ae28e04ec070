// The languages chosen at build time (scripts/vite/pages.ts writes this module).
declare module 'virtual:backsoon-locales' {
  import type { Messages } from './messages.js';
  /** The default language: its strings are in the page, the others in locales/<tag>.json. */
  export const defaultLocale: string;
  export const defaultMessages: Messages;
  /** Every shipped language, the default first. */
  export const available: string[];
}
