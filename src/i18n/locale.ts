/**
 * Picks the page's language from the visitor's preferences
 * (`navigator.languages`, best first) among the shipped ones.
 *
 * A preference matches a shipped language of the same language and script
 * once both are "maximized" (`de-AT` → de-Latn, `zh-CN` → zh-Hans, `zh-TW`
 * → zh-Hant), so Austrians get German and Taiwanese readers do not get
 * Simplified Chinese.
 *
 * @returns the first shipped match, or `fallback`
 */
export function pickLocale(preferred: readonly string[], available: readonly string[], fallback: string): string {
  const key = (tag: string): string | undefined => {
    try {
      const locale = new Intl.Locale(tag).maximize();
      return `${locale.language}-${locale.script ?? ''}`;
    } catch {
      return undefined; // a malformed tag matches nothing
    }
  };
  const keyed = available.map((tag) => [key(tag), tag] as const);
  for (const wanted of preferred) {
    const exact = available.find((tag) => tag.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
    const k = key(wanted);
    const match = k && keyed.find(([candidate]) => candidate === k);
    if (match) return match[1];
  }
  return fallback;
}
