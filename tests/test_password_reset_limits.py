"""Issue 13, finding 7: password-reset e-mails are rate-limited per address and per account."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ask(client, email, address="192.0.2.10"):
    return client.post(reverse("members:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_twenty_requests_for_one_account_send_three_e_mails(client, member, settings):
    assert settings.PASSWORD_RESET_RATE_PER_ACCOUNT == "3/h"
    # From twenty addresses, so only the per-account limit can stop them.
    statuses = [ask(client, "amina@example.org", address=f"192.0.2.{number}").status_code for number in range(20)]
    assert statuses == [302] * 3 + [429] * 17
    assert len(mail.outbox) == 3
    refused = ask(client, "AMINA@example.org ", address="203.0.113.1")  # the same account, spelled otherwise
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "No new e-mail was sent." in refused.text
    assert len(mail.outbox) == 3


def test_one_address_asking_for_many_accounts_is_limited(client, member, second_member, settings):
    assert settings.PASSWORD_RESET_RATE_PER_ADDRESS == "10/h"
    for number in range(8):
        assert ask(client, f"nobody{number}@example.org").status_code == 302
    assert ask(client, "amina@example.org").status_code == 302
    assert ask(client, "bruno@example.org").status_code == 302
    assert ask(client, "bruno@example.org").status_code == 429
    assert sorted(message.to[0] for message in mail.outbox) == ["amina@example.org", "bruno@example.org"]
    # Another address is not affected.
    assert ask(client, "bruno@example.org", address="198.51.100.1").status_code == 302
    assert len(mail.outbox) == 3


def test_an_unknown_address_is_counted_like_a_known_one(client, member):
    """Over the limit, the answer is the same whether or not the address has an account."""
    answers = {}
    for email in ("amina@example.org", "nobody@example.org"):
        answers[email] = [ask(client, email, address=f"198.51.100.{n}").status_code for n in range(4)]
    assert answers["amina@example.org"] == answers["nobody@example.org"] == [302, 302, 302, 429]


def test_the_form_page_itself_is_not_limited(client):
    for _ in range(15):
        assert client.get(reverse("members:password_reset")).status_code == 200
