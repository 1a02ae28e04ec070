import { reloadAsGetUrl, returnNavigation } from '../decide/return-to.js';

/** Sends the visitor back to the page's own URL, with the navigation returnNavigation picks. */
export function returnToUrl(location: Pick<Location, 'href' | 'replace' | 'reload'>): void {
  const href = location.href;
  if (returnNavigation(href) === 'reload') location.reload();
  else location.replace(href);
}

/** Loads the page's URL again as a GET, never re-sending a form ("Reload this page" after a lost form). */
export function reloadAsGet(location: Pick<Location, 'href' | 'replace'>): void {
  location.replace(reloadAsGetUrl(location.href));
}
