// @ts-check
/*
 * backsoon: hold GET and HEAD requests while the app restarts.
 *
 * nginx runs `hold` (location @backsoon_hold, server/backsoon-hold.conf)
 * when a location that includes location/backsoon-hold.conf gets a 502 or
 * a 504 from its app. When the app refused the connection (nothing was
 * sent to it) and the request is a GET or a HEAD, the request waits and is
 * sent again, every `$backsoon_hold_every`, for up to `$backsoon_hold_for`.
 * The first answer from the app goes to the visitor. Otherwise, and for
 * every other request, nginx answers with backsoon's page as it would have
 * without the hold: same status, same marker.
 *
 * Written for njs 0.7.9 (Debian 12's libnginx-mod-http-js): no classes, no
 * destructuring, spread, default parameters, for…of or optional chaining
 * (njs 0.7.9 refuses them: eslint.config.js says which), no shared
 * dictionary. The decisions are pure functions, exported beside the handler
 * so that they can be tested under Node (backsoon-hold.test.ts, beside it).
 * Type checked by `npm run typecheck` (tsconfig.njs.json: its JSDoc types,
 * ES5's built-ins and njs's globals, njs.d.ts).
 *
 * https://nginx.org/en/docs/njs/reference.html#r_subrequest
 * https://nginx.org/en/docs/http/ngx_http_upstream_module.html#var_upstream_connect_time
 */

/**
 * The parts of njs's request object that the hold uses (njs names its type
 * NginxHTTPRequest); a try's answer, given to the subrequest's callback, is
 * one too. Header and variable values are strings, or undefined when absent.
 * https://nginx.org/en/docs/njs/reference.html#http
 *
 * @typedef {object} NginxHTTPRequest
 * @property {string} uri the request's path, without its query
 * @property {string} method
 * @property {Readonly<Record<string, string | undefined>>} headersIn
 * @property {Record<string, string | undefined>} headersOut
 * @property {Record<string, string | undefined>} variables nginx's variables by name; the `js_var` ones can be set
 * @property {number} status
 * @property {string | undefined} responseText a try's body, as text
 * @property {Buffer | undefined} responseBuffer a try's body
 * @property {(status: number, body?: string | Buffer) => void} return
 * @property {() => void} sendHeader
 * @property {(part: string) => void} send
 * @property {() => void} finish
 * @property {(uri: string, options: { args: string, method: string }, done: (reply: NginxHTTPRequest) => void) => void} subrequest
 */

/** How long a request is held when `$backsoon_hold_for` is not set: most restarts take a few seconds. */
var DEFAULT_HOLD_FOR = 5000;

/**
 * How often a held request is sent again when `$backsoon_hold_every` is not
 * set. A refused connection costs the app nothing; a held visitor waits at
 * most this long after the app is back.
 */
var DEFAULT_HOLD_EVERY = 500;

/** Longest `$backsoon_hold_for` taken: a held request keeps a connection open all along. */
var MAX_HOLD_FOR = 60000;

/** Shortest `$backsoon_hold_every` taken, so that held requests never spin. */
var MIN_HOLD_EVERY = 50;

/**
 * Most tries of one held request. Each try is a subrequest whose memory
 * (its copy of the request's headers, its buffers) stays with the request
 * until it ends: the tries are spread over the hold instead (5 s: one
 * every 500 ms at the most).
 */
var MAX_TRIES = 10;

/**
 * Largest request held, request line and headers (`$request_length`):
 * with MAX_TRIES, a held request costs nginx at most about 10 × 8 KB of
 * copies. A browser's request is 1 to 4 KB; a bigger one gets the page.
 */
var MAX_HELD_REQUEST = 8192;

/** @type {Record<string, number>} */
var UNITS = { ms: 1, s: 1000, m: 60000 };

/**
 * Reads an nginx-style duration: "500ms", "5s", "1m", or a bare number of
 * seconds ("5"), as nginx's own time directives do.
 *
 * @param {string | undefined} text the variable's value
 * @param {number} fallback what an absent or malformed value means, in ms
 * @returns {number} milliseconds
 */
function parseDuration(text, fallback) {
  if (typeof text !== 'string') return fallback;
  var match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!match) return fallback;
  // The pattern admits only the units UNITS has.
  return Math.round(Number(match[1]) * /** @type {number} */ (UNITS[match[2] || 's']));
}

/**
 * The hold's settings from the variables' values, each kept in its range.
 *
 * @param {string | undefined} holdFor `$backsoon_hold_for`
 * @param {string | undefined} holdEvery `$backsoon_hold_every`
 * @returns {{ holdFor: number, every: number }} milliseconds
 */
function holdSettings(holdFor, holdEvery) {
  var length = Math.min(MAX_HOLD_FOR, Math.max(0, parseDuration(holdFor, DEFAULT_HOLD_FOR)));
  return {
    holdFor: length,
    every: Math.max(MIN_HOLD_EVERY, Math.ceil(length / MAX_TRIES), parseDuration(holdEvery, DEFAULT_HOLD_EVERY)),
  };
}

/**
 * The entries of the last upstream pass in an `$upstream_*` variable:
 * passes (internal redirects) are separated by " : ", servers tried in one
 * pass by ", ".
 *
 * @param {string | undefined} value
 * @returns {string[]}
 */
function lastPass(value) {
  if (typeof value !== 'string' || value === '') return [];
  var passes = value.split(' : ');
  return /** @type {string} */ (passes[passes.length - 1]).split(', ');
}

/**
 * Whether the last pass to the upstream never got a connection: every
 * server tried refused it (or its socket file was missing, or the upstream
 * had no live server), so no byte of the request reached the app. nginx
 * writes "-" as the connect time of a server it could not connect to.
 *
 * @param {string | undefined} connectTimes `$upstream_connect_time`
 * @returns {boolean}
 */
function neverConnected(connectTimes) {
  var entries = lastPass(connectTimes);
  if (entries.length === 0) return false;
  for (var i = 0; i < entries.length; i++) {
    if (entries[i] !== '-') return false;
  }
  return true;
}

/**
 * The status nginx gave for the last pass (502 or 504), 502 when unknown.
 *
 * @param {string | undefined} statuses `$upstream_status`
 * @returns {number}
 */
function lastStatus(statuses) {
  var entries = lastPass(statuses);
  var status = Number(entries[entries.length - 1]);
  return status === 502 || status === 504 ? status : 502;
}

/**
 * Whether a request may be held: a GET or a HEAD (safe, RFC 9110 §9.2.1),
 * and not one whose answer never ends or cannot be buffered: a WebSocket
 * or other Upgrade, an event stream.
 *
 * POST, PUT, PATCH and DELETE are never held, even though a refused one was
 * not sent: the visitor gets backsoon's page at once, which says that the
 * form was not sent and never sends it again behind their back.
 *
 * Nor a request over MAX_HELD_REQUEST bytes, whose tries would cost nginx
 * that much each.
 *
 * @param {string} method
 * @param {string | undefined} upgrade the Upgrade header
 * @param {string | undefined} accept the Accept header
 * @param {string | undefined} requestLength `$request_length`: request line and headers (and body)
 * @returns {boolean}
 */
function mayHold(method, upgrade, accept, requestLength) {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (!(parseInt(requestLength || '', 10) <= MAX_HELD_REQUEST)) return false;
  if (upgrade) return false;
  if (accept && /^\s*text\/event-stream\s*(;|$)/i.test(accept)) return false;
  return true;
}

/**
 * How long to wait before the next try, or -1 to stop holding: a try every
 * `every` ms, the last one when `holdFor` has passed since the first
 * refusal.
 *
 * @param {number} elapsed ms since the first refusal
 * @param {{ holdFor: number, every: number }} settings
 * @returns {number}
 */
function nextDelay(elapsed, settings) {
  var left = settings.holdFor - elapsed;
  if (left <= 0) return -1;
  return Math.min(settings.every, left);
}

/**
 * Response headers that belong to one connection, not to the answer.
 * @type {Record<string, number>}
 */
var HOP_BY_HOP = { connection: 1, 'keep-alive': 1, 'transfer-encoding': 1, 'content-length': 1 };

/**
 * Statuses whose `r.return()` text is taken for the Location, not the body.
 * @type {Record<number, number>}
 */
var REDIRECTS = { 301: 1, 302: 1, 303: 1, 307: 1, 308: 1 };

/**
 * The body as a string that njs 0.7's r.send() writes back byte for byte,
 * or undefined when it is not valid UTF-8.
 *
 * @param {NginxHTTPRequest} reply a try's answer
 * @param {Buffer} body its body
 * @returns {string | undefined}
 */
function bodyText(reply, body) {
  var text = reply.responseText;
  return typeof text === 'string' && Buffer.from(text).equals(body) ? text : undefined;
}

/**
 * Sends the app's answer to a try as the held request's own answer: its
 * status, headers and body. nginx adds a Content-Length of its own.
 *
 * @param {NginxHTTPRequest} r the held request
 * @param {NginxHTTPRequest} reply the try's answer
 */
function deliver(r, reply) {
  var body = reply.responseBuffer;
  var withBody = r.method !== 'HEAD' && body !== undefined && body.length > 0;
  // Where `withBody` holds, `body` is a Buffer; so is `text` a string in
  // the last branch (a body without text took the one before it). The
  // casts below say so to the type checker, which cannot follow a `var`.
  var bytes = /** @type {Buffer} */ (body);
  // njs 0.7's r.send() takes strings only and r.return() takes a
  // redirect's text for its Location: a redirect's body goes out as
  // text, or nginx writes its own when that text is not UTF-8.
  var text = withBody && REDIRECTS[reply.status] ? bodyText(reply, bytes) : undefined;
  var nginxBody = withBody && REDIRECTS[reply.status] && text === undefined;
  for (var name in reply.headersOut) {
    var lower = name.toLowerCase();
    if (HOP_BY_HOP[lower] || (nginxBody && lower === 'location')) continue;
    r.headersOut[name] = reply.headersOut[name];
  }
  if (nginxBody) {
    r.return(reply.status, reply.headersOut['Location'] || '');
  } else if (withBody && text === undefined) {
    r.return(reply.status, bytes);
  } else {
    // A HEAD keeps the app's own length of the body it would have sent.
    var length = r.method === 'HEAD' ? reply.headersOut['Content-Length'] : String(withBody ? bytes.length : 0);
    if (length !== undefined) r.headersOut['Content-Length'] = length;
    r.status = reply.status;
    r.sendHeader();
    if (withBody) r.send(/** @type {string} */ (text));
    r.finish();
  }
}

/**
 * The content handler of @backsoon_hold, for a request that got a 502 or
 * a 504. Written with callbacks rather than promises: njs 0.7 frees
 * nothing before the request ends, and a promise per try costs a held
 * request a third more memory.
 *
 * @param {NginxHTTPRequest} r
 */
function hold(r) {
  var status = lastStatus(r.variables.upstream_status);
  if (
    r.uri.indexOf('/__backsoon/') === 0 ||
    !neverConnected(r.variables.upstream_connect_time) ||
    !mayHold(r.method, r.headersIn['Upgrade'], r.headersIn['Accept'], r.variables.request_length)
  ) {
    r.return(status);
    return;
  }
  var settings = holdSettings(r.variables.backsoon_hold_for, r.variables.backsoon_hold_every);
  var options = { args: r.variables.args || '', method: r.method };
  var started = Date.now();
  var tries = 0;

  function wait() {
    var delay = nextDelay(Date.now() - started, settings);
    if (delay < 0) {
      // Held for the whole time: backsoon's page, through the server's error_page.
      r.return(status);
      return;
    }
    setTimeout(tryAgain, delay);
  }

  function tryAgain() {
    // A try that fails before the app answers comes back through
    // @backsoon_hold, which marks it (variables are shared between a
    // request and its subrequests; the app cannot set them) and ends
    // it without running this script again.
    r.variables.backsoon_hold_tries = String(++tries);
    r.variables.backsoon_hold_failed = '';
    r.subrequest(r.uri, options, answered);
  }

  /** @param {NginxHTTPRequest} reply */
  function answered(reply) {
    if (!r.variables.backsoon_hold_failed) {
      deliver(r, reply);
    } else if (!neverConnected(reply.variables.upstream_connect_time)) {
      // The app got the request and failed: it is never sent again.
      r.return(lastStatus(reply.variables.upstream_status));
    } else {
      wait();
    }
  }

  wait();
}

export default { hold, parseDuration, holdSettings, neverConnected, lastStatus, mayHold, nextDelay };
