/**
 * backsoon's protocol: every name that the page, its service worker, the
 * build, the `backsoon` command and the server snippets must spell the same.
 * The snippets cannot import it; src/protocol.test.ts reads them and fails
 * when they drift from what is written here.
 *
 * Plain data and one pure function: the page, the worker (no DOM) and
 * Node (the build, the command) all import it.
 */

/** The site's folder the kit is installed in, under the document root. */
export const KIT_FOLDER = '__backsoon';

/**
 * The folder beside KIT_FOLDER, under the document root, that holds the
 * page's releases: KIT_FOLDER is a link to one of them, swapped with a
 * rename on each install, so that visitors get a whole page, the old or
 * the new, never none. Not served (server/backsoon.conf).
 */
export const RELEASES_FOLDER = `.${KIT_FOLDER}-releases`;

/** Every URL of the kit starts with it; the server answers it from disk (or its probe). */
export const KIT_PATH = `/${KIT_FOLDER}/`;

/** The kit's URLs. */
export const PATHS = {
  /** The page shown while the app is down (502, 504, the app's 503 intercepted). */
  crashPage: `${KIT_PATH}index.html`,
  /** The page shown during planned maintenance (503). */
  maintenancePage: `${KIT_PATH}maintenance.html`,
  /** The shared probe, answered from a one-second cache (location/backsoon-probe.conf). */
  probe: `${KIT_PATH}probe`,
  /** The probe, asking for a turn to go back (counted by nginx's limit_req). */
  admit: `${KIT_PATH}probe?admit=1`,
  /** The page's other languages, `<tag>.json` each. */
  locales: `${KIT_PATH}locales/`,
  /** What the operator says about a maintenance ({ message, until }): public, the page reads it. */
  maintenanceInfo: `${KIT_PATH}maintenance.json`,
  /** The maintenance switch: maintenance is on while this file exists. Never served. */
  maintenanceFlag: `${KIT_PATH}maintenance.on`,
  /** The staff's bypass link (`?token=…`), which sets the bypass cookie. */
  bypass: `${KIT_PATH}bypass`,
  /** The optional service worker, registered at scope `/`. */
  serviceWorker: `${KIT_PATH}sw.js`,
  /** The operator's style sheet, never built in (edits show without a rebuild). */
  brandCss: `${KIT_PATH}brand.css`,
} as const;

/**
 * The header the server adds to the error responses it serves itself, and to
 * nothing else. Its value (a marker) says why the app is away.
 */
export const MARKER_HEADER = 'X-Backsoon';

/**
 * The markers, values of MARKER_HEADER. `busy`: the app is back but the
 * server is letting the waiting visitors in a few at a time (the probe's
 * 429), so this one waits its turn.
 */
export const MARKERS = ['crash', 'maintenance', 'busy'] as const;
export type Marker = (typeof MARKERS)[number];

/**
 * A marker's value, read leniently (case and spaces ignored): anything
 * unknown is a crash, since only the server's own error page carries the header.
 */
export function readMarker(value: string): Marker {
  const marker = value.trim().toLowerCase();
  return marker === 'maintenance' || marker === 'busy' ? marker : 'crash';
}

/**
 * The header the server adds to the probe's answers that come from the app:
 * it tells a configured probe from a path that merely exists (the 404 of a
 * server without the probe).
 */
export const PROBE_HEADER = 'X-Backsoon-Probe';

/**
 * Strings of the built pages that nginx (sub_filter, for a lost form) and the
 * service worker rewrite. The build fails unless each occurs exactly once in
 * each page, so a rewrite can never miss or hit twice.
 */
export const REWRITES = {
  /** The element's opening tag: the form's marks are added after it. */
  pageTag: { find: '<backsoon-page ', purpose: 'marks the page with the lost form' },
  /** The no-script refresh: after a form it would load the form's target as a GET, so it is disabled. */
  metaRefresh: {
    find: '<meta http-equiv="refresh"',
    replace: '<meta data-refresh-removed',
    purpose: 'disables the no-script refresh after a form',
  },
} as const;
