"""A capacity-limited WSGI app for bench/load.ts, run by Debian's gunicorn.

Like a Django view under gunicorn's sync workers: every worker imports the
app for START_SECONDS before it serves anything, and every request (HEAD
included: gunicorn only drops the body) burns VIEW_MS of CPU. Pinned to one
core with 4 workers, that is about 1000 / VIEW_MS requests a second.

Each request served is appended to BENCH_APP_LOG as "<unix time> <method> <path>".
"""
import os
import time

START_SECONDS = float(os.environ.get("BENCH_APP_START", "2"))
VIEW_MS = float(os.environ.get("BENCH_APP_VIEW_MS", "20"))
LOG = os.environ["BENCH_APP_LOG"]

time.sleep(START_SECONDS)  # the import: settings, models, templates
_log = open(LOG, "a", buffering=1)
BODY = b"<!doctype html><title>app</title><p id=app>The app answered.</p>\n"


def application(environ, start_response):
    began = time.thread_time()
    while time.thread_time() - began < VIEW_MS / 1000:
        pass
    path = environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    _log.write(f"{time.time():.3f} {environ['REQUEST_METHOD']} {path}{'?' + query if query else ''}\n")
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(BODY)))])
    return [BODY]
