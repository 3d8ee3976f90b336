"""Fault test (`make fault-test`): PostgreSQL goes away under the served portal and comes back.

The test starts a PostgreSQL instance of its own (initdb into a temporary directory, a free loopback
port; the machine's main server is never touched), migrates it and loads the TWG records, and serves
the portal from it with gunicorn on another loopback port. A few threads send requests throughout:
1. healthy: every page answers 200;
2. PostgreSQL is stopped (`pg_ctl stop -m fast`): every request answers the 503 page, fast;
3. PostgreSQL is started again: every request answers 200, from the same gunicorn workers.
Everything is bounded: a fixed number of threads, phases of a few seconds, a timeout on every request
and every subprocess.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.fault

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
GUNICORN = Path(sys.executable).parent / "gunicorn"
ARTIFACTS = BASE_DIR / "test-artifacts"

THREADS = 3
PAUSE_BETWEEN_REQUESTS = 0.05  # per thread: light load
REQUEST_TIMEOUT = 15  # seconds; a request that takes longer counts as a hang
HEALTHY_SECONDS, OUTAGE_SECONDS, RECOVERY_SECONDS = 3, 5, 4
OUTAGE_ANSWER_LIMIT = 3.0  # seconds: during the outage every request must be answered faster than this
URLS = ["/", "/depository/", "/meetings/", "/healthz"]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command):
    """PostgreSQL refuses to run as root: run its programs as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def run(command, timeout=120, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    assert result.returncode == 0, f"{command[0]} failed: {result.stdout}\n{result.stderr}"
    return result


class OwnPostgres:
    """A throw-away PostgreSQL 15 cluster in a temporary directory, on a loopback port."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="twg-fault-"))
        if os.geteuid() == 0:
            shutil.chown(self.base, user="postgres", group="postgres")
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.port = free_port()
        run(as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"]))

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off"
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options]
        run(as_postgres([*pg_ctl, "-w", "-t", "60", "start"]))

    def stop(self, mode="fast"):
        run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]))

    def running(self):
        status = subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]), capture_output=True, timeout=30
        )
        return status.returncode == 0

    def url(self, dbname):
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}?connect_timeout=2"

    def remove(self):
        if self.running():
            self.stop(mode="immediate")
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def postgres():
    assert (PG_BIN / "initdb").is_file(), "the fault test needs Debian's postgresql-15 server binaries"
    server = OwnPostgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def portal_env(postgres):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(
        DATABASE_URL=postgres.url("twg_fault"),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="twg_portal.settings",
    )
    manage = [sys.executable, "manage.py"]
    for command in (["ensure_database"], ["migrate", "--no-input"], ["load_twg_records"]):
        run([*manage, *command], cwd=BASE_DIR, env=env, timeout=300)
    return env


@pytest.fixture
def gunicorn(portal_env, tmp_path):
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(GUNICORN), "twg_portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"],
        cwd=BASE_DIR,
        env=portal_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                if get(port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start serving within 60 s"
            time.sleep(0.2)
        yield process, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@dataclass
class Answer:
    url: str
    started: float
    seconds: float
    status: int  # 0: no answer (connection error or timeout)
    unavailable_page: bool


def get(port, url):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", url)
        response = connection.getresponse()
        body = response.read()
        response.body = body
        return response
    finally:
        connection.close()


def load(port, stop_event, answers, lock, offset):
    number = offset
    while not stop_event.is_set():
        url = URLS[number % len(URLS)]
        number += 1
        started = time.monotonic()
        try:
            response = get(port, url)
            status = response.status
            page = b"The portal is temporarily unavailable" in response.body
        except OSError:
            status, page = 0, False
        with lock:
            answers.append(Answer(url, started, time.monotonic() - started, status, page))
        time.sleep(PAUSE_BETWEEN_REQUESTS)


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def test_requests_fail_fast_with_503_while_postgres_is_down_and_recover_without_a_restart(postgres, gunicorn):
    process, port = gunicorn
    workers_before = worker_pids(process.pid)
    assert len(workers_before) == 2

    answers, lock, stop_event = [], threading.Lock(), threading.Event()
    threads = [threading.Thread(target=load, args=(port, stop_event, answers, lock, n)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(HEALTHY_SECONDS)
        stop_began = time.monotonic()
        postgres.stop(mode="fast")
        stopped = time.monotonic()
        time.sleep(OUTAGE_SECONDS)
        start_began = time.monotonic()
        postgres.start()
        started = time.monotonic()
        time.sleep(RECOVERY_SECONDS)
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads)

    healthy = [a for a in answers if a.started + a.seconds < stop_began]
    during_stop = [a for a in answers if a.started + a.seconds >= stop_began and a.started < stopped]
    outage = [a for a in answers if stopped <= a.started and a.started + a.seconds < start_began]
    recovered = [a for a in answers if a.started >= started]

    assert len(healthy) >= 10 and len(outage) >= 10 and len(recovered) >= 10
    assert {a.status for a in healthy} == {200}
    # Requests caught by the shutdown itself are answered too: served, or the 503 page.
    assert {a.status for a in during_stop} <= {200, 503}
    # During the outage: the 503 page (healthz: its own short 503), at once, never a hang or a 500.
    assert {a.status for a in outage} == {503}
    assert all(a.unavailable_page for a in outage if a.url != "/healthz")
    assert max(a.seconds for a in outage) < OUTAGE_ANSWER_LIMIT
    # After the restart: served normally again, by the same gunicorn workers.
    assert {a.status for a in recovered} == {200}
    assert process.poll() is None
    assert worker_pids(process.pid) == workers_before

    summary = {
        "threads": THREADS,
        "requests": len(answers),
        "healthy": {"requests": len(healthy), "max_seconds": round(max(a.seconds for a in healthy), 3)},
        "outage": {
            "requests": len(outage),
            "statuses": sorted({a.status for a in outage}),
            "median_seconds": round(statistics.median(a.seconds for a in outage), 3),
            "max_seconds": round(max(a.seconds for a in outage), 3),
        },
        "during_stop": {"requests": len(during_stop), "statuses": sorted({a.status for a in during_stop})},
        "recovered": {"requests": len(recovered), "max_seconds": round(max(a.seconds for a in recovered), 3)},
        "pg_ctl_stop_seconds": round(stopped - stop_began, 3),
        "pg_ctl_start_seconds": round(started - start_began, 3),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fault-test.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))
