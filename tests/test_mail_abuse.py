"""Issue 22, finding 2: mail anyone can make the portal send, and headers mail providers must read.

A visitor types an address into two forms that send it mail: the alert subscription (a confirmation
link) and the password reset (limited since issue 13). 30 POSTs with one victim's address once sent
30 confirmations; now each recipient and each client address has a limit, kept in a table
(core/ratelimits.py), and the form says so with a 429. Every e-mail's headers are parsed from the
bytes an SMTP server would get: a plain-ASCII header is written as it is (`List-Unsubscribe:
<https://...>`, as RFC 2369 and RFC 8058 want), never RFC 2047-encoded (core/mail.py)."""

import email
import email.policy

import pytest
from django.core import mail
from django.urls import reverse

from alerts.services import send_digests
from core.mail import PortalEmail
from tests.depository_helpers import make_entry
from tests.test_alerts import WEEK_START, at, saved

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("alerts:subscribe") + "?q=safety+audit"


def subscribe(client, email_address, address):
    return client.post(SUBSCRIBE, {"frequency": "weekly", "email": email_address}, REMOTE_ADDR=address)


def test_thirty_requests_for_one_victim_send_three_confirmations(client, settings):
    # From thirty client addresses, so only the per-recipient limit can stop them.
    answers = [subscribe(client, "victim@example.org", f"192.0.2.{number}") for number in range(30)]
    assert [answer.status_code for answer in answers] == [200] * 3 + [429] * 27
    assert len(mail.outbox) == 3
    refused = subscribe(client, " VICTIM@example.org", "203.0.113.1")  # the same recipient, spelled otherwise
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many confirmation e-mails were asked for this address" in refused.content.decode()
    assert len(mail.outbox) == 3
    assert settings.ALERTS_CONFIRMATION_RATE_PER_RECIPIENT == "3/h"


def test_one_client_asking_for_many_recipients_is_limited(client, settings):
    answers = [subscribe(client, f"reader{number}@example.org", "198.51.100.7").status_code for number in range(12)]
    assert answers == [200] * 10 + [429] * 2
    assert len(mail.outbox) == 10
    assert subscribe(client, "reader99@example.org", "198.51.100.8").status_code == 200  # another client
    assert settings.ALERTS_CONFIRMATION_RATE_PER_CLIENT == "10/h"


def sent_bytes(message):
    """What the SMTP backend hands the server (Django's smtp backend builds with email.policy.SMTP)."""
    return message.message(policy=email.policy.SMTP).as_bytes()


def assert_headers_literal(message):
    """Each plain-ASCII header of the message is in its bytes as it is: no encoded word anywhere."""
    raw = sent_bytes(message)
    block = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    for name, value in parsed.items():
        if str(value).isascii():
            assert f"{name}: {value}" in block.splitlines(), name
    return parsed, block


@pytest.mark.django_db(transaction=True)  # the search index follows at the commit, as in test_alerts.py
def test_the_digest_s_one_click_unsubscribe_is_written_as_rfc_8058_wants(settings):
    settings.SITE_URL = "https://portal.example.org"
    make_entry("Street lighting audit", published_at=at(WEEK_START))
    saved("amina@example.org", "q=lighting")
    assert send_digests() == 1
    (message,) = mail.outbox
    parsed, block = assert_headers_literal(message)
    unsubscribe = parsed["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://portal.example.org/alerts/unsubscribe/") and unsubscribe.endswith(">")
    assert len(unsubscribe) > 78  # long enough that the policy's folding used to encode it
    assert f"List-Unsubscribe: {unsubscribe}" in block.splitlines()  # one line, no encoded word
    assert parsed["Subject"].startswith("New in the TWG Portal")  # its en dash is encoded, as it must be
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_every_mail_a_visitor_or_member_can_cause_has_literal_headers(client, member, settings):
    settings.SITE_URL = "https://portal.example.org"
    assert subscribe(client, "visitor@example.org", "192.0.2.80").status_code == 200
    assert client.post(reverse("members:password_reset"), {"email": "amina@example.org"}).status_code == 302
    assert len(mail.outbox) == 2
    assert all(isinstance(message, PortalEmail) for message in mail.outbox)
    for message in mail.outbox:
        assert_headers_literal(message)


def test_non_ascii_headers_are_still_encoded_and_read_back():
    subject = "Nouveautés du portail TWG : sécurité urbaine, médiation et prévention de la violence"
    url = "https://portal.example.org/alerts/unsubscribe/" + "e" * 120 + "/"
    message = PortalEmail(subject, "body", None, ["a@example.org"], headers={"List-Unsubscribe": f"<{url}>"})
    raw = sent_bytes(message)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert parsed["List-Unsubscribe"] == f"<{url}>"
    assert f"List-Unsubscribe: <{url}>".encode() in raw
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if b"=?utf-8?" in line:
            assert len(line) <= 78  # encoded words stay within the folding limit (RFC 2047: 75 each)
