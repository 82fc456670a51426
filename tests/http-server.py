#!/usr/bin/env python3
"""http-server.py - a loopback HTTP/1.1 server for the download tests and
the fetch benchmark, with switches that make it misbehave the ways real
mirrors do.

Usage: http-server.py ROOTDIR LOGFILE

Binds 127.0.0.1 on a free port, prints the port on stdout (one line,
flushed) once it accepts connections, and serves until SIGTERM.  Answers
are HTTP/1.1 with Content-Length (connections are kept alive), GET and
HEAD, and honour a single "Range: bytes=A-B", "bytes=A-" or "bytes=-N"
(206 with Content-Range; 416 with "Content-Range: bytes */SIZE" when A is
past the end).

The first path component picks the behaviour; the rest names a file under
ROOTDIR:

  /ok/NAME          the file, as any server would
  /truncate/NAME    announces the full length (of the range asked for),
                    sends the first half, and closes the connection
  /cut-once/NAME    like truncate for the first request for NAME (per
                    file, over the server's life), like ok after that
  /wrong/NAME       the same length, other bytes (each byte XOR 0x5a)
  /404/NAME         404 Not Found
  /500/NAME         500 Internal Server Error, always
  /500-once/NAME    500 for the first request for NAME, like ok after that
  /stall/NAME       the headers and the first 16 bytes, then nothing until
                    the client goes away (other connections go on)
  /slow/RATE/NAME   like ok, at most RATE bytes a second per connection
  /no-range/NAME    ignores Range: always 200 and the whole file

Anything else is 404.  A NAME that is a folder with an index.html in it
is answered with that page (an index listing, a PyPI simple page).

LOGFILE gets one line per request when it starts, flushed at once:

  METHOD PATH RANGE start=EPOCH conn=N thread=ID active=N

RANGE is the Range header as sent, or "-"; conn numbers the connections
in the order they were accepted; active is how many requests were being
answered when this one started, itself included (a request stops counting
just before its last bytes are written, so a client cannot start its next
request while its previous one still counts).  Tests read it to check
ranged requests and concurrency.
"""

import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STALL_BYTES = 16
CHUNK = 1 << 20
XOR_5A = bytes(b ^ 0x5A for b in range(256))


class State:
    lock = threading.Lock()
    seen = set()          # (behaviour, name) of the *-once switches already used
    active = 0
    connections = 0
    log = None


def first_time(kind, name):
    with State.lock:
        if (kind, name) in State.seen:
            return False
        State.seen.add((kind, name))
        return True


def parse_range(header, size):
    """(start, end inclusive) for a single byte range, None for no or an
    unusable Range (serve the whole file), or 'unsatisfiable'."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    spec = header[len("bytes="):].strip()
    first, sep, last = spec.partition("-")
    if not sep:
        return None
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return (max(0, size - n), size - 1)
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return (start, min(end, size - 1))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gpu-setup-test-server"

    def setup(self):
        super().setup()
        with State.lock:
            State.connections += 1
            self.conn_id = State.connections

    def log_message(self, fmt, *args):
        pass

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    # ------------------------------------------------------------------
    def answer(self, head):
        rng = self.headers.get("Range")
        with State.lock:
            State.active += 1
            line = "%s %s %s start=%.6f conn=%d thread=%d active=%d\n" % (
                self.command, self.path, rng or "-", time.time(), self.conn_id,
                threading.get_ident(), State.active)
            State.log.write(line)
            State.log.flush()
        self.counted = True
        try:
            self.dispatch(head, rng)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        finally:
            self.uncount()

    def uncount(self):
        if self.counted:
            self.counted = False
            with State.lock:
                State.active -= 1

    def dispatch(self, head, rng):
        # Percent escapes decoded, as a real server does (apt quotes '+'
        # in a .deb's name as %2b).
        path = urllib.parse.unquote(self.path.split("?", 1)[0])
        parts = path.lstrip("/").split("/")
        kind = parts[0] if parts else ""
        rest = parts[1:]
        rate = None
        if kind == "slow" and len(rest) >= 2 and rest[0].isdigit() and int(rest[0]) > 0:
            rate = int(rest[0])
            rest = rest[1:]
        name = "/".join(rest)
        root = self.server.root
        path = os.path.realpath(os.path.join(root, name))
        # A folder's index page, as a web server answers for NAME/.
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "index.html")):
            path = os.path.join(path, "index.html")
        known = {"ok", "truncate", "cut-once", "wrong", "404", "500", "500-once", "stall", "slow", "no-range"}
        if (kind not in known or not name or not path.startswith(root + os.sep)
                or not os.path.isfile(path) or kind == "404" or (kind == "slow" and rate is None)):
            return self.status_only(404, "Not Found")
        if kind == "500" or (kind == "500-once" and first_time(kind, name)):
            return self.status_only(500, "Internal Server Error")

        size = os.path.getsize(path)
        r = None if kind == "no-range" else parse_range(rng, size)
        if r == "unsatisfiable":
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % size)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = r if r else (0, size - 1)
        length = end - start + 1 if size else 0
        self.send_response(206 if r else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "none" if kind == "no-range" else "bytes")
        if r:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if head:
            return

        cut = kind == "truncate" or (kind == "cut-once" and first_time(kind, name))
        with open(path, "rb") as f:
            if cut:
                self.send_bytes(f, start, length // 2, final=False)
                return self.hang_up()
            if kind == "stall":
                self.send_bytes(f, start, min(STALL_BYTES, length), final=False)
                return self.stall()
            self.send_bytes(f, start, length, final=True, rate=rate, xor=kind == "wrong")

    def status_only(self, code, text):
        body = ("%d %s\n" % (code, text)).encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.uncount()
            self.wfile.write(body)

    def send_bytes(self, f, start, count, final, rate=None, xor=False):
        """count bytes of f from start: sendfile when plain and unthrottled,
        else in chunks (paced to rate, or changed); the request stops
        counting as active before its last write when final."""
        sock = self.connection
        if rate is None and not xor:
            head = count - min(count, CHUNK) if final else count
            if head:
                sock.sendfile(f, start, head)
            if final:
                self.uncount()
                if count - head:
                    sock.sendfile(f, start + head, count - head)
            return
        chunk = CHUNK if rate is None else max(1, min(CHUNK, rate // 20))
        f.seek(start)
        sent = 0
        began = time.monotonic()
        while sent < count:
            n = min(chunk, count - sent)
            data = f.read(n)
            if not data:
                break
            if xor:
                data = data.translate(XOR_5A)
            if rate is not None:
                due = began + (sent + n) / rate
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            if final and sent + n >= count:
                self.uncount()
            sock.sendall(data)
            sent += n

    def hang_up(self):
        self.close_connection = True
        self.uncount()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def stall(self):
        """Send nothing more; return when the client closes its end."""
        self.close_connection = True
        sock = self.connection
        sock.settimeout(0.1)
        while True:
            try:
                if sock.recv(4096, socket.MSG_PEEK) == b"":
                    return
                sock.recv(4096)  # a client that talks on: read and wait on
            except socket.timeout:
                continue
            except OSError:
                return


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A client that goes away mid-request (a test's timeout, a cut)
        is normal here; anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: http-server.py ROOTDIR LOGFILE\n")
        return 2
    State.log = open(sys.argv[2], "a", buffering=1)
    server = Server(("127.0.0.1", 0), Handler)
    server.root = os.path.realpath(sys.argv[1])
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
