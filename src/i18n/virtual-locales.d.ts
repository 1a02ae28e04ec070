// The languages chosen at build time (vite-plugins/pages.ts writes this module).
declare module 'virtual:backsoon-locales' {
  /** The default language: its strings are in the page, the others in locales/<tag>.json. */
  export const defaultLocale: string;
  export const defaultMessages: import('./messages.js').Messages; // an import type: an import statement here could not name a relative path
  /** Every shipped language, the default first. */
  export const available: string[];
}
