"""Safe fetching (harvest/fetch.py): schemes, addresses checked before any connection, the checked
address used, redirects checked, size, type, robots.txt, rate and time limits."""

import socket

import pytest

from harvest import fetch
from harvest.fetch import Fetcher, FetchError, FetchRefused
from tests.harvest_helpers import LoopbackServer

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def no_connection(monkeypatch):
    """Any socket connection fails the test."""

    def connect(self, address):
        pytest.fail(f"a connection to {address} was opened")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)


def resolving(monkeypatch, mapping):
    """socket.getaddrinfo answering `mapping` (name -> address) and counting the look-ups of names."""
    looked_up = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in mapping:
            looked_up.append(host)
            address = mapping[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.fixture
def server():
    server = LoopbackServer(lambda path, query: (200, {"Content-Type": "text/plain"}, b"hello"))
    yield server
    server.close()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://repository.example.org/x.pdf", "gopher://x.example/", "//no-scheme", "http://"]
)
def test_only_http_and_https_are_fetched(url, no_connection):
    with pytest.raises(FetchRefused):
        Fetcher().get(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",  # noqa: S104 (the unspecified address, refused)
        "224.0.0.1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "240.0.0.1",
    ],  # fmt: skip
)
def test_a_public_looking_host_resolving_inside_is_refused_before_any_connection(monkeypatch, no_connection, address):
    resolving(monkeypatch, {"repository.example.org": address})
    with pytest.raises(FetchRefused, match="refused"):
        Fetcher().get("https://repository.example.org/oai?verb=Identify")


def test_the_address_checked_is_the_one_connected_to(monkeypatch, db):
    looked_up = resolving(monkeypatch, {"repository.example.org": "93.184.216.34"})
    connected = []

    def connect(self, address):
        connected.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", connect)
    with pytest.raises(FetchError):
        Fetcher().get("http://repository.example.org/oai")
    assert looked_up == ["repository.example.org"]  # resolved once: no second look-up to rebind
    assert connected and all(address[0] == "93.184.216.34" for address in connected)


def test_a_redirect_to_a_refused_address_is_not_followed(monkeypatch, server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = False
    checked = fetch.refused_address
    monkeypatch.setattr(fetch, "refused_address", lambda address: "" if address == "127.0.0.1" else checked(address))
    resolving(monkeypatch, {"metadata.internal.example": "169.254.169.254"})
    server.set_route(lambda path, query: (302, {"Location": "http://metadata.internal.example/latest/"}, b""))
    with pytest.raises(FetchRefused, match="169.254.169.254"):
        Fetcher().get(f"{server.url}/start")
    assert len(server.requests) == 1


def test_redirects_are_followed_and_each_checked(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    routes = {"/start": (301, {"Location": "/end"}, b""), "/end": (200, {"Content-Type": "text/plain"}, b"there")}
    server.set_route(lambda path, query: routes[path])
    response = Fetcher().get(f"{server.url}/start")
    assert response.content == b"there" and response.url.endswith("/end")
    assert server.requests[0][2]["User-Agent"] == settings.HARVEST_USER_AGENT


def test_the_callers_headers_go_to_the_first_origin_only(server, settings, db):
    """An API key follows a redirect on the same origin, never one to another origin (another port is
    another origin: a file store)."""
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    other = LoopbackServer(lambda path, query: (200, {"Content-Type": "text/plain"}, b"stored"))
    try:
        routes = {"/start": (302, {"Location": "/same"}, b""), "/same": (302, {"Location": f"{other.url}/f"}, b"")}
        server.set_route(lambda path, query: routes[path])
        response = Fetcher().get(f"{server.url}/start", headers={"Zotero-API-Key": "KEY12345"})
        assert response.content == b"stored"
        assert [headers.get("Zotero-API-Key") for _path, _query, headers in server.requests] == ["KEY12345"] * 2
        assert "Zotero-API-Key" not in other.requests[0][2]
    finally:
        other.close()


def endless():
    chunk = b"%PDF-1.4 " + b"x" * 65527
    while True:
        yield chunk


def test_an_endless_body_stops_at_the_limit(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    server.set_route(lambda path, query: (200, {"Content-Type": "application/pdf"}, endless()))
    with pytest.raises(FetchRefused, match="larger than 1048576 bytes"):
        Fetcher().get(f"{server.url}/big.pdf", max_bytes=1024 * 1024)


def test_a_two_gigabyte_body_is_refused_from_its_length(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    headers = {"Content-Type": "application/pdf", "Content-Length": str(2 * 1024**3)}
    server.set_route(lambda path, query: (200, headers, endless()))
    with pytest.raises(FetchRefused, match="larger than"):
        Fetcher().get(f"{server.url}/2gb.pdf", max_bytes=settings.ATTACHMENT_MAX_UPLOAD_BYTES)


def test_a_type_not_accepted_is_refused(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    server.set_route(lambda path, query: (200, {"Content-Type": "application/x-msdownload"}, b"MZ"))
    with pytest.raises(FetchRefused, match="not one of the accepted types"):
        Fetcher().get(f"{server.url}/setup.exe", media_types={"application/pdf"})


def test_robots_txt_is_honoured_when_asked(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    robots = b"User-agent: *\nDisallow: /private/\n"
    server.set_route(
        lambda path, query: (200, {"Content-Type": "text/plain"}, robots if path == "/robots.txt" else b"%PDF-1.4")
    )
    fetcher = Fetcher()
    with pytest.raises(FetchRefused, match="robots.txt"):
        fetcher.get(f"{server.url}/private/report.pdf", robots=True)
    assert fetcher.get(f"{server.url}/public/report.pdf", robots=True).content == b"%PDF-1.4"
    assert [path for path, _q, _h in server.requests].count("/robots.txt") == 1


def test_the_per_host_rate_is_kept(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    settings.HARVEST_HOST_RATE = "2/h"
    fetcher = Fetcher(total_seconds=5)
    fetcher.get(f"{server.url}/1")
    fetcher.get(f"{server.url}/2")
    with pytest.raises(FetchError, match="Too many requests"):
        fetcher.get(f"{server.url}/3")
    assert len(server.requests) == 2


def test_a_server_that_never_answers_runs_out_of_time(server, settings, db):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True

    def hang(path, query):
        server.release.wait(30)
        return 200, {}, b""

    server.set_route(hang)
    with pytest.raises(FetchError):
        Fetcher(timeout=0.3, total_seconds=1).get(f"{server.url}/slow")
