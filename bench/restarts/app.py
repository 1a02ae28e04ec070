"""A small WSGI app for bench/restarts.ts, run by Debian's gunicorn.

It behaves like a typical Django app where it matters for a restart:
loading it takes a while (BENCH_STARTUP seconds, 2 by default, as a big
framework's imports do), and each page costs CPU (BENCH_VIEW_MS, 5 ms of
work by default). Each worker appends "ready <pid> <ppid>" to
BENCH_READY_FILE once loaded, so that the bench knows when a new
generation of workers answers.
"""
import os
import time

STARTUP = float(os.environ.get("BENCH_STARTUP", "2"))
VIEW_MS = float(os.environ.get("BENCH_VIEW_MS", "5"))

time.sleep(STARTUP)

READY_FILE = os.environ.get("BENCH_READY_FILE")
if READY_FILE:
    with open(READY_FILE, "a") as ready:
        ready.write(f"ready {os.getpid()} {os.getppid()}\n")

FILLER = "<p>" + "Lorem ipsum dolor sit amet. " * 20 + "</p>\n"


def application(environ, start_response):
    deadline = time.process_time() + VIEW_MS / 1000
    n = 0
    while time.process_time() < deadline:
        n += 1
    path = environ.get("PATH_INFO", "/")
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bench app</title></head><body>"
        f"<h1>Page {path}</h1><p>pid {os.getpid()}, {n} loops</p>" + FILLER * 10 + "</body></html>"
    ).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    if environ["REQUEST_METHOD"] == "HEAD":
        return [b""]
    return [body]
