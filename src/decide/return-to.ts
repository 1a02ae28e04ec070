/**
 * How to land the visitor on the URL they asked for, replacing the error
 * page in history (src/poll/navigate.ts makes the call). nginx's error_page
 * keeps the browser on the original URL, so "going back" means loading the
 * current URL again.
 *
 * `location.replace(href)` is a fresh navigation that replaces the entry, but
 * in Chromium it does nothing when the URL has a #fragment (it is taken for
 * a same-document jump); `location.reload()` reloads the same entry, fragment
 * and all, and is used then.
 */
export function returnNavigation(href: string): 'replace' | 'reload' {
  return href.includes('#') ? 'reload' : 'replace';
}

/**
 * The URL that "Reload this page" loads, with a replace (a GET): the page's
 * own without its fragment, since a replace to the same URL with a fragment
 * does nothing in Chromium. (`reload()` would POST a lost form again.)
 */
export function reloadAsGetUrl(href: string): string {
  return href.split('#')[0] ?? href;
}
