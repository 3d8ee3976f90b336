"""Front-server test (`make deploy-test`): nginx and gunicorn with the shipped configurations.

The test renders the portal's nginx configuration (`manage.py nginx_config --standalone`) into a
temporary directory and runs Debian's nginx from it as the current user, in front of gunicorn started
with deploy/gunicorn.conf.py, both on free loopback ports, against a database of its own. It proves
issue 13's finding 2 fixed at the front:
1. three clients sending a POST /members/login/ body at 1 byte/s do not delay /healthz beyond 1 s
   (nginx buffers bodies: gunicorn's two sync workers never see the slow requests);
2. a 300 MB body declared to the login is refused with 413 before a byte of it is sent;
3. a paper upload one byte over its limit is refused by nginx (413, nginx's own page), and one of
   exactly the limit passes nginx and reaches the portal.
Every wait is on an event (a socket, an answer, a process) with a deadline; every loop is bounded.
"""

import contextlib
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.body_limits import LOGIN_MAX_BODY_BYTES, body_limit_for

pytestmark = pytest.mark.deploy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_DEADLINE = 60  # seconds for nginx or gunicorn to answer
SLOW_CLIENTS = 3
HEALTHZ_LIMIT = 1.0  # seconds: /healthz must answer faster than this while the slow clients send
HEALTHZ_PROBES = 8


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, env, timeout=120):
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


def read_response(sock, timeout):
    """Read one HTTP response's head and as much body as arrives before the peer closes or `timeout`
    seconds pass. Returns (status, headers text, body bytes); status 0 when nothing came."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
        head, separator, body = data.partition(b"\r\n\r\n")
        if separator and b"content-length:" in head.lower():
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            if len(body) >= length:
                break
    if not data:
        return 0, "", b""
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1"), body


def request_head(method, path, port, headers=()):
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *headers, "", ""]
    return "\r\n".join(lines).encode()


def get(port, path, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request_head("GET", path, port, ["Connection: close"]))
        return read_response(sock, timeout)


def wait_until_serving(port, process, log_path):
    deadline = time.monotonic() + START_DEADLINE
    while True:
        assert process.poll() is None, log_path.read_text()
        try:
            status, _, _ = get(port, "/healthz", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"no answer on port {port} within {START_DEADLINE} s"
        # Not a fixed sleep: wait on the process, which only ends early if it dies.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def portal_env():
    database = connection.settings_dict
    name = f"{database['TEST']['NAME'] or 'test_' + database['NAME']}_deploy"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        TRUSTED_PROXY_COUNT="1",
        DJANGO_SETTINGS_MODULE="twg_portal.settings",
    )
    # Its own database: /healthz and the refusals below need a server that answers, not tables.
    run([sys.executable, "manage.py", "ensure_database"], env)
    return env


@pytest.fixture
def gunicorn(portal_env, tmp_path):
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            # The shipped configuration, with the two sync workers.
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=BASE_DIR,
            env=portal_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(port, process, log_path)
        yield port
    finally:
        stop(process)


@pytest.fixture
def nginx(portal_env, gunicorn, tmp_path):
    assert NGINX.is_file(), "the front-server test needs Debian's nginx (make nginx installs it)"
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    port = free_port()
    config = prefix / "nginx.conf"
    run(
        [
            sys.executable, "manage.py", "nginx_config", "--standalone", "--prefix", str(prefix),
            "--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{gunicorn}", "--output", str(config),
        ],
        portal_env,
    )  # fmt: skip
    command = [str(NGINX), "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    run([*command, "-t"], portal_env)
    log_path = prefix / "error.log"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, process, log_path)
        yield port
    finally:
        stop(process)
        shutil.rmtree(prefix, ignore_errors=True)


class SlowClient(threading.Thread):
    """POSTs a login body of `length` bytes, one byte per second, until `stop` is set."""

    def __init__(self, port, stop_event, length=1000):
        super().__init__(daemon=True)
        self.port, self.stop_event, self.length = port, stop_event, length
        self.sent = 0
        self.started_sending = threading.Event()
        self.answered = False

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            headers = [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {self.length}",
                # With a CSRF cookie, Django must read the body for the form's token: a worker that got
                # this request would wait on every byte of it.
                f"Cookie: csrftoken={secrets.token_hex(16)}",
            ]
            sock.sendall(request_head("POST", "/members/login/", self.port, headers))
            self.started_sending.set()
            # The pace of one byte a second is a wait on the stop event, which ends the client at once.
            while self.sent < self.length and not self.stop_event.wait(1.0):
                try:
                    sock.sendall(b"u")
                except OSError:
                    break
                self.sent += 1
            self.answered = bool(select.select([sock], [], [], 0)[0])


def test_three_slow_clients_do_not_delay_healthz(nginx):
    stop_event = threading.Event()
    clients = [SlowClient(nginx, stop_event) for _ in range(SLOW_CLIENTS)]
    try:
        for client in clients:
            client.start()
        for client in clients:
            assert client.started_sending.wait(10), "a slow client could not connect"
        answers = []
        for _ in range(HEALTHZ_PROBES):
            started = time.monotonic()
            status, _, body = get(nginx, "/healthz", timeout=5)
            answers.append((status, time.monotonic() - started))
            assert body == b"ok\n"
            # Pace the probes over a few seconds of slow sending (a wait on the stop event, not a sleep).
            stop_event.wait(0.4)
        assert all(status == 200 for status, _ in answers), answers
        assert max(seconds for _, seconds in answers) < HEALTHZ_LIMIT, answers
        # The slow clients were still sending, unanswered, the whole time.
        assert all(client.sent >= 2 for client in clients), [client.sent for client in clients]
    finally:
        stop_event.set()
        for client in clients:
            client.join(timeout=10)
    assert not any(client.answered for client in clients)


def test_a_300_mb_login_body_is_refused_before_it_is_sent(nginx):
    length = 300 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", nginx), timeout=10) as sock:
        headers = ["Content-Type: multipart/form-data; boundary=x", f"Content-Length: {length}"]
        sock.sendall(request_head("POST", "/members/login/", nginx, headers))
        # Nothing of the body is sent: the answer must come from the headers alone.
        status, head, body = read_response(sock, timeout=5)
    assert status == 413, head
    assert b"<center>nginx</center>" in body  # nginx's page: the request never reached gunicorn
    assert length > LOGIN_MAX_BODY_BYTES


def post_upload_of(port, length, body_bytes):
    """POST a paper upload declaring `length` bytes and sending `body_bytes` of them, in 1 MB chunks,
    stopping as soon as an answer arrives. Returns (status, head, body, bytes sent)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        headers = ["Content-Type: multipart/form-data; boundary=x", f"Content-Length: {length}"]
        sock.sendall(request_head("POST", "/members/papers/1/upload/", port, headers))
        sent, chunk = 0, b"x" * (1024 * 1024)
        while sent < body_bytes and not select.select([sock], [], [], 0)[0]:
            piece = chunk[: body_bytes - sent]
            sock.sendall(piece)
            sent += len(piece)
        status, head, body = read_response(sock, timeout=30)
    return status, head, body, sent


def test_an_upload_one_byte_over_its_limit_is_refused_early_and_one_at_the_limit_passes(nginx):
    limit = body_limit_for("/members/papers/1/upload/")
    assert limit == settings.MEMBERS_PAPER_MAX_BYTES + 64 * 1024
    status, head, body, sent = post_upload_of(nginx, limit + 1, body_bytes=0)
    assert (status, sent) == (413, 0), head
    assert b"<center>nginx</center>" in body
    # Exactly the limit: nginx reads it all and passes it on; the portal answers (403: no CSRF token,
    # an anonymous visitor), not nginx's 413.
    status, head, body, sent = post_upload_of(nginx, limit, body_bytes=limit)
    assert sent == limit
    assert status == 403, head
    assert b"nginx" not in body


def test_the_production_server_block_is_valid_nginx(portal_env, tmp_path):
    # What docs/deployment.md installs in /etc/nginx/sites-available/, checked by `nginx -t` inside the
    # http block of a minimal nginx.conf, as Debian's own nginx.conf includes it.
    assert NGINX.is_file(), "the front-server test needs Debian's nginx (make nginx installs it)"
    site = tmp_path / "twg-portal"
    run(
        [sys.executable, "manage.py", "nginx_config", "--server-name", "twg.example.org", "--output", str(site)],
        portal_env,
    )
    text = site.read_text()
    assert "proxy_request_buffering on;" in text and "daemon off" not in text
    config = tmp_path / "nginx.conf"
    temp_paths = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp_paths}include {site};\n}}\n"
    )
    run([str(NGINX), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(config)], portal_env)
