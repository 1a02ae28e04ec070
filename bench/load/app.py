"""A capacity-limited WSGI app for bench/load.ts, run by Debian's gunicorn.

Like a Django view under gunicorn's sync workers: every worker imports the
app for START_SECONDS before it serves anything, and every page request
(HEAD included: gunicorn only drops the body) burns VIEW_MS of CPU. Pinned
to one core with 4 workers, that is about 1000 / VIEW_MS pages a second.

/healthz is the cheap health view the kit's probe and turns ask: answered by
the same workers, from the same queue as the pages, at no CPU of its own.

From the unix time SLOW_AT on (if set), pages burn SLOW_MS instead: an app
that slows down in the middle of a recovery (its caches filling, a database
under load).

Each request served is appended to BENCH_APP_LOG as "<unix time> <method> <path>".
"""
import os
import time

START_SECONDS = float(os.environ.get("BENCH_APP_START", "2"))
VIEW_MS = float(os.environ.get("BENCH_APP_VIEW_MS", "20"))
SLOW_AT = float(os.environ.get("BENCH_APP_SLOW_AT", "inf"))
SLOW_MS = float(os.environ.get("BENCH_APP_SLOW_MS", str(VIEW_MS)))
LOG = os.environ["BENCH_APP_LOG"]

time.sleep(START_SECONDS)  # the import: settings, models, templates
_log = open(LOG, "a", buffering=1)
BODY = b"<!doctype html><title>app</title><p id=app>The app answered.</p>\n"


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path != "/healthz":
        view_ms = SLOW_MS if time.time() >= SLOW_AT else VIEW_MS
        began = time.thread_time()
        while time.thread_time() - began < view_ms / 1000:
            pass
    query = environ.get("QUERY_STRING", "")
    _log.write(f"{time.time():.3f} {environ['REQUEST_METHOD']} {path}{'?' + query if query else ''}\n")
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(BODY)))])
    return [BODY]
