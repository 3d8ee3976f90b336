"""A small HTTP server on a loopback port (port 0) for the harvesting tests: each test gives it a
`route(request) -> (status, headers, body)` where body is bytes or an iterator of bytes (streamed,
never built whole). Requests are recorded as (path, query dict, headers). HEAD is answered only when
the test gives a `head_route` (the same signature; the body is not sent), else 501 as http.server
answers a method it lacks; HEAD requests are recorded in `head_requests` (paths)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from harvest.services import run_harvest, start_run

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"


def fixture(name):
    return (FIXTURES / name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, query, dict(self.headers)))
        status, headers, body = self.server.route(parts.path, query)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if isinstance(body, bytes):
                self.wfile.write(body)
            else:
                for chunk in body:
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_HEAD(self):  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        self.server.head_requests.append(parts.path)
        if self.server.head_route is None:
            self.send_error(501)
            return
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        status, headers, _body = self.server.head_route(parts.path, query)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002 (quiet)
        pass


class LoopbackServer:
    def __init__(self, route):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.route = route
        self.httpd.requests = []
        self.httpd.head_route = None
        self.httpd.head_requests = []
        self.release = threading.Event()  # handlers that hang wait on it
        # serve_forever checks for shutdown() every poll_interval (0.5 s by default): each test's teardown
        # waited up to that long; 20 ms ends the server as soon as the test is done.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def requests(self):
        return self.httpd.requests

    def set_route(self, route):
        self.httpd.route = route

    def set_head_route(self, route):
        self.httpd.head_route = route

    @property
    def head_requests(self):
        return self.httpd.head_requests

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


XML = {"Content-Type": "text/xml; charset=utf-8"}
JSON = {"Content-Type": "application/json"}


def allow_loopback_sources(settings):
    """Let a harvest reach the test's own servers on 127.0.0.1 (refused by default: harvest/fetch.py),
    unslowed by the per-host rate limit. For a module's autouse fixture."""
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    settings.HARVEST_HOST_RATE = "1000/m"


def harvest(source):
    """Run a harvest of `source` as the task does (the task worker itself runs in the admin's test);
    returns the run, reloaded."""
    run = start_run(source=source, enqueue=False)
    run_harvest(run)
    run.refresh_from_db()
    return run
