"""Socket activation for bench/restarts.ts, the systemd way, in a few lines.

Binds the app's unix socket once and keeps it open, then runs gunicorn
with the socket as file descriptor 3 (LISTEN_FDS=1, LISTEN_PID: what
systemd passes to a service started by its .socket unit). On SIGHUP it
stops gunicorn (TERM, graceful) and starts a new one on the same socket,
as `systemctl restart app.service` does while app.socket keeps
listening: connections that arrive in between wait in the socket's
backlog instead of being refused. SIGTERM stops gunicorn and exits.

    python3 socket-launcher.py /run/app.sock 2048 -- gunicorn [args…]
"""
import os
import signal
import socket
import sys

path, backlog = sys.argv[1], int(sys.argv[2])
command = sys.argv[sys.argv.index("--") + 1:]

if os.path.exists(path):
    os.unlink(path)
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
os.chmod(path, 0o777)
listener.listen(backlog)

child = 0


def start():
    global child
    child = os.fork()
    if child == 0:
        os.dup2(listener.fileno(), 3)
        os.set_inheritable(3, True)
        os.environ["LISTEN_FDS"] = "1"
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.execvp(command[0], command)


def stop():
    os.kill(child, signal.SIGTERM)
    os.waitpid(child, 0)


restart_requested = False
stop_requested = False


def on_hup(signum, frame):
    global restart_requested
    restart_requested = True


def on_term(signum, frame):
    global stop_requested
    stop_requested = True


signal.signal(signal.SIGHUP, on_hup)
signal.signal(signal.SIGTERM, on_term)
start()
print(f"launcher {os.getpid()} listening on {path}", flush=True)
while True:
    signal.pause()
    if stop_requested:
        stop()
        sys.exit(0)
    if restart_requested:
        restart_requested = False
        stop()
        start()
        print("restarted", flush=True)
