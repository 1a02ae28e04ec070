/**
 * How to land the visitor on the URL they asked for, replacing the error
 * page in history. nginx's error_page keeps the browser on the original URL,
 * so "going back" means loading the current URL again.
 *
 * `location.replace(href)` is a fresh navigation that replaces the entry, but
 * in Chromium it does nothing when the URL has a #fragment (it is taken for
 * a same-document jump); `location.reload()` reloads the same entry, fragment
 * and all, and is used then.
 */
export function returnNavigation(href: string): 'replace' | 'reload' {
  return href.includes('#') ? 'reload' : 'replace';
}

/** Sends the visitor back to the page's own URL. */
export function returnToUrl(location: Pick<Location, 'href' | 'replace' | 'reload'>): void {
  const href = location.href;
  if (returnNavigation(href) === 'reload') location.reload();
  else location.replace(href);
}

/**
 * Loads the page's URL again as a GET, never re-sending a form: after a
 * lost form submission, `reload()` would POST again. A fragment is dropped
 * (a replace to the same URL with a fragment does nothing in Chromium).
 */
export function reloadAsGet(location: Pick<Location, 'href' | 'replace'>): void {
  location.replace(location.href.split('#')[0] ?? location.href);
}
