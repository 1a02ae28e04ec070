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
 * A kit URL's file in the build. (The files' names are spelled once, in
 * PATHS, which the page itself reads: the lists below, which only the build
 * and the command read, stay out of the page's bundle.)
 */
function fileOf(path: string): string {
  return path.slice(KIT_PATH.length);
}

/**
 * The files of a build (dist/) that the servers answer with: `backsoon
 * install` requires them, the snippets name them, the build writes them.
 */
export const PAGE_FILES = {
  /** The page shown while the app is down (502, 504, the app's 503 intercepted). */
  crash: fileOf(PATHS.crashPage),
  /** The page shown during planned maintenance (503). */
  maintenance: fileOf(PATHS.maintenancePage),
  /** What clients that asked for JSON get instead of a page. */
  json: 'outage.json',
  /** What other clients (images, scripts, the favicon) get: a line of text. */
  text: 'outage.txt',
} as const;

/** The service worker's files, which the build writes beside the pages. */
export const WORKER_FILES = {
  /** The worker, with its precache manifest. */
  worker: fileOf(PATHS.serviceWorker),
  /** The same routes, for an app's own worker to import. */
  import: 'sw-import.js',
  /** The kill switch, to copy over sw.js. */
  kill: 'sw-kill.js',
  /** The page side: one <script> tag. */
  register: 'register.js',
  /** The page side as an ES module. */
  registerModule: 'register.mjs',
} as const;

/** The operator's style sheet: the build writes a commented one, `install` keeps the operator's. */
export const BRAND_CSS = fileOf(PATHS.brandCss);

/**
 * The header the server adds to the error responses it serves itself, and to
 * nothing else. Its value (a marker) says why the app is away, or that the
 * app is back and this visitor waits for a turn.
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
 * The page's variants, one built page each: `crash` (PATHS.crashPage, for
 * 502 and 504) and `maintenance` (PATHS.maintenancePage, planned
 * maintenance's 503). It is the value of the element's `kind` attribute in
 * that page (`<backsoon-page kind="maintenance">`): the build writes it,
 * the element reads it, and the words follow it.
 */
export type PageVariant = 'crash' | 'maintenance';

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

/**
 * The methods of a form submission: after one, the server marks the page
 * (FORM_MARKS) and the page never sends it again by itself. Every other
 * method is answered like a GET; only GET and HEAD are ever held and sent
 * again by the njs hold (SAFE_METHODS).
 */
export const FORM_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The methods the hold may send again: safe ones (RFC 9110, 9.2.1). */
export const SAFE_METHODS = ['GET', 'HEAD'] as const;

/**
 * The attributes the server (nginx's sub_filter) and the service worker add
 * to `<backsoon-page>` after a form: its method, and whether it may have
 * reached the app (FORM_SENT).
 */
export const FORM_MARKS = { method: 'request-method', sent: 'form-sent' } as const;

/** `form-sent`'s values: nothing reached the app, or it may have. */
export const FORM_SENT = { notSent: 'no', maybe: 'maybe' } as const;

/**
 * nginx names the snippets define and `backsoon check` looks for: the
 * error pages' targets, the hold's named location.
 */
export const NGINX_NAMES = {
  crashPage: '$backsoon_crash_page',
  maintenancePage: '$backsoon_maintenance_page',
  hold: '@backsoon_hold',
  /** The zone that counts the turns in the app at once (limit_conn). */
  turnsZone: 'backsoon_turns',
} as const;

/**
 * The page's public custom properties, without their `--backsoon-` prefix:
 * the build's config sets them (`theme`), the page's styles read them with
 * their defaults, the docs' Branding table lists them. `logo` is set from
 * the config's own `logo` key.
 */
export const THEME_TOKENS = [
  'accent',
  'accent-dark',
  'accent-text',
  'accent-text-dark',
  'text',
  'text-dark',
  'muted',
  'muted-dark',
  'surface',
  'surface-dark',
  'border',
  'border-dark',
  'spinner',
  'spinner-dark',
  'background',
  'background-dark',
  'font',
  'radius',
  'space',
  'max-width',
  'logo-height',
] as const;

// nginx's variables for planned maintenance's staff bypass, set by the
// snippets (http/backsoon-maintenance.conf, http/backsoon-staff.conf) and
// read by `backsoon check` and `backsoon token`.

/** The request's Cookie header without the bypass cookie: what the app must be given. */
export const APP_COOKIE = '$backsoon_app_cookie';
/** The staff file's token map: `map $backsoon_token $backsoon_staff_token { "~^<token>\z" 1; }`. */
export const STAFF_TOKEN_MAP = { source: '$backsoon_token', result: '$backsoon_staff_token' } as const;
/** The lengths of a bypass token the secret link accepts (its characters: letters, digits, `-` and `_`). */
export const TOKEN_LENGTH = { min: 16, max: 128 } as const;
