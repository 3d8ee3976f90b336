"""Safe fetching: every HTTP request of a harvest, and every download of a linked document, goes
through `Fetcher.get` (docs/harvesting.md, "Safe fetching").

- http and https only (no file://, ftp://, gopher:// ...);
- the host is resolved once, and every address it resolves to is checked (ipaddress) before any
  connection is opened: loopback, private, link-local, multicast, reserved, unspecified and other
  non-global addresses are refused unless the setting HARVEST_ALLOW_PRIVATE_ADDRESSES allows them
  (the tests do, to reach their servers on 127.0.0.1);
- the connection goes to the address that was checked (urllib3's pool is opened on the IP address,
  with the host name sent as Host and used for TLS's SNI and certificate check): no second resolution
  that a DNS-rebinding answer could turn towards the inside;
- redirects are followed by hand, each new address checked the same way, at most MAX_REDIRECTS; the
  caller's headers (an API key) go to the first URL's origin only;
- a per-host rate limit kept in a table (core.ratelimits, setting HARVEST_HOST_RATE);
- a descriptive User-Agent (HARVEST_USER_AGENT);
- robots.txt honoured (urllib.robotparser) when asked (the full-text downloads ask);
- the body is streamed and refused once it passes `max_bytes` (never read whole first), an optional
  list of accepted media types, and a total time limit besides the connect and read timeouts.
"""

import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from core import ratelimits

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ROBOTS_MAX_BYTES = 512 * 1024
CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that failed: refused by a rule here, or failed on the network or at the server."""


class FetchRefused(FetchError):
    """Refused by one of the rules above, before or while reading (never a server's fault)."""


class AddressRefused(FetchRefused):
    """The host resolves to an address the rules refuse (loopback, private ...): nothing was sent."""


class RateLimited(FetchError):
    """The per-host rate left no time to send the request: nothing was sent (try again later)."""


@dataclass
class Fetched:
    """A response read whole (within the limits); enough of requests.Response for Sickle."""

    url: str
    status_code: int
    headers: dict = field(default_factory=dict)  # lower-case names
    content: bytes = b""
    encoding: str | None = None

    @property
    def media_type(self):
        return media_type_of(self.headers.get("content-type", ""))

    @property
    def text(self):
        return self.content.decode(self.encoding or charset_of(self.headers.get("content-type", "")), "replace")

    def json(self):
        return json.loads(self.content)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise FetchError(_("%(url)s answered HTTP %(status)d.") % {"url": self.url, "status": self.status_code})


def origin_of(url):
    """(scheme, host, port) of `url`, the port made explicit: what "the same origin" compares."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or {"https": 443, "http": 80}.get(parts.scheme)


def media_type_of(content_type):
    message = Message()
    message["content-type"] = content_type or "application/octet-stream"
    return message.get_content_type()


def charset_of(content_type):
    message = Message()
    message["content-type"] = content_type or "text/plain"
    return message.get_content_charset() or "utf-8"


def refused_address(address):
    """Why `address` (an IP address as text) may not be connected to, or '' when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for flag in ("is_loopback", "is_private", "is_link_local", "is_multicast", "is_reserved", "is_unspecified"):
        if getattr(ip, flag):
            return flag.removeprefix("is_").replace("_", "-")
    if not ip.is_global:
        return "not-global"
    return ""


def resolve(host, port):
    """The addresses `host` resolves to, each checked; the first allowed one. Raises FetchRefused when
    any of them is refused (one answer pointing inside is reason enough) or none is found."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            _("The host %(host)s could not be resolved (%(error)s).") % {"host": host, "error": error}
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(_("The host %(host)s has no address.") % {"host": host})
    if not settings.HARVEST_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if reason := refused_address(address):
                raise AddressRefused(
                    _("%(host)s resolves to %(address)s (%(reason)s): refused.")
                    % {"host": host, "address": address, "reason": reason}
                )
    return addresses[0]


class Fetcher:
    """One harvest's (or one download's) HTTP client: the rules above, robots.txt read once per host."""

    def __init__(self, *, timeout=None, total_seconds=None, user_agent=None):
        self.timeout = timeout or settings.HARVEST_TIMEOUT_SECONDS
        self.total_seconds = total_seconds or settings.HARVEST_TOTAL_SECONDS
        self.user_agent = user_agent or settings.HARVEST_USER_AGENT
        self.robots = {}

    def get(self, url, *, params=None, headers=None, max_bytes=None, media_types=None, robots=False):
        """GET `url` (with `params` added to its query): a Fetched, whatever its status. `headers` go to
        `url`'s origin only: a redirect to another origin drops them (an API key never follows a
        redirect to a file store), as browsers and requests drop credentials. Raises FetchRefused when a
        rule refuses it and FetchError when the network or the time limit fails."""
        if params:
            url = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params, doseq=True)}"
        deadline = time.monotonic() + self.total_seconds
        max_bytes = max_bytes or settings.HARVEST_MAX_RESPONSE_BYTES
        origin = origin_of(url)
        for _hop in range(MAX_REDIRECTS + 1):
            if robots:
                self.check_robots(url, deadline)
            response = self.request(url, (headers or {}) if origin_of(url) == origin else {}, deadline)
            location = response.headers.get("location")
            if response.status in REDIRECT_STATUSES and location:
                response.release_conn()
                url = urljoin(url, location)
                continue
            return self.read(url, response, deadline, max_bytes, media_types)
        raise FetchRefused(_("More than %(count)d redirects from %(url)s.") % {"count": MAX_REDIRECTS, "url": url})

    def status(self, url, *, method="HEAD"):
        """The HTTP status `url` answers to `method` (HEAD, or GET for servers that refuse HEAD) once the
        redirects are followed (each checked, at most MAX_REDIRECTS), and the last URL; the body is never
        read. Raises as `get` does: a redirect loop is a FetchRefused."""
        deadline = time.monotonic() + self.total_seconds
        for _hop in range(MAX_REDIRECTS + 1):
            response = self.request(url, {}, deadline, method=method)
            location = response.headers.get("location")
            status = response.status
            response.close()
            response.release_conn()
            if status in REDIRECT_STATUSES and location:
                url = urljoin(url, location)
                continue
            return status, url
        raise FetchRefused(_("More than %(count)d redirects from %(url)s.") % {"count": MAX_REDIRECTS, "url": url})

    def request(self, url, headers, deadline, *, method="GET"):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(_("Only http and https addresses are fetched, not “%(url)s”.") % {"url": url[:200]})
        if not parts.hostname:
            raise FetchRefused(_("“%(url)s” names no host.") % {"url": url[:200]})
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(host, port)
        self.wait_for_rate(host, deadline)
        remaining = self.remaining(deadline)
        timeout = urllib3.Timeout(connect=min(self.timeout, remaining), read=min(self.timeout, remaining))
        pool_args = {"timeout": timeout, "retries": False, "maxsize": 1}
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, port, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **pool_args
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, **pool_args)
        default_port = 443 if parts.scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        if ":" in host:  # an IPv6 literal
            host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            return pool.urlopen(
                method,
                path,
                headers={"Host": host_header, "User-Agent": self.user_agent, **headers},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(_("%(url)s could not be fetched: %(error)s") % {"url": url, "error": error}) from None

    def read(self, url, response, deadline, max_bytes, media_types):
        headers = {name.lower(): value for name, value in response.headers.items()}
        fetched = Fetched(url=url, status_code=response.status, headers=headers)
        try:
            if media_types and response.status < 300 and fetched.media_type not in media_types:
                raise FetchRefused(
                    _("%(url)s is %(type)s, not one of the accepted types.") % {"url": url, "type": fetched.media_type}
                )
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchRefused(_("%(url)s is larger than %(limit)d bytes.") % {"url": url, "limit": max_bytes})
            chunks, size = [], 0
            for chunk in response.stream(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchRefused(_("%(url)s is larger than %(limit)d bytes.") % {"url": url, "limit": max_bytes})
                self.remaining(deadline)
                chunks.append(chunk)
            fetched.content = b"".join(chunks)
            return fetched
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(_("%(url)s could not be read: %(error)s") % {"url": url, "error": error}) from None
        finally:
            response.release_conn()
            response.close()

    def remaining(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(_("The time limit of %(seconds)s seconds ran out.") % {"seconds": self.total_seconds})
        return left

    def wait_for_rate(self, host, deadline):
        """Count a request to `host`; over HARVEST_HOST_RATE, wait for the next window if the time limit
        allows, else fail."""
        while (hit := ratelimits.hit("harvest-host", host.lower(), settings.HARVEST_HOST_RATE)).limited:
            if time.monotonic() + hit.retry_after > deadline:
                raise RateLimited(_("Too many requests to %(host)s: try again later.") % {"host": host})
            time.sleep(hit.retry_after)

    def check_robots(self, url, deadline):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            parser = RobotFileParser()
            try:
                response = self.get(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
            except FetchRefused:
                raise
            except FetchError:
                response = None
            if response is None or response.status_code >= 500:
                parser.disallow_all = True  # as robotparser reads an unreachable robots.txt
            elif response.status_code >= 400:
                parser.allow_all = True
            else:
                parser.parse(response.text.splitlines())
            self.robots[origin] = parser
        if not self.robots[origin].can_fetch(self.user_agent, url):
            raise FetchRefused(_("robots.txt of %(origin)s disallows %(url)s.") % {"origin": origin, "url": url})
