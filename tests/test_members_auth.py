"""Log-in, log-out, password change and reset: Django's views under /members/, styled like the portal."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_dashboard_sends_anonymous_visitors_to_the_member_login(client):
    response = client.get(reverse("members:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/members/login/?next=/members/"


def test_login_page_is_the_portals(client):
    response = client.get(reverse("members:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Members: log in" in content
    assert 'class="site-header"' in content
    assert reverse("members:password_reset") in content


def test_a_member_logs_in_and_out(client, member):
    response = client.post(reverse("members:login"), {"username": "amina", "password": "member-pass-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")
    assert client.get(reverse("members:dashboard")).status_code == 200
    response = client.post(reverse("members:logout"))
    assert response.status_code == 302
    assert client.get(reverse("members:dashboard")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, member):
    response = client.post(reverse("members:login"), {"username": "amina", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_change(member_client, member):
    response = member_client.post(
        reverse("members:password_change"),
        {
            "old_password": "member-pass-1",
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:password_change_done")
    member.user.refresh_from_db()
    assert member.user.check_password("another-long-passphrase")


def test_password_reset_by_email(client, member):
    response = client.post(reverse("members:password_reset"), {"email": "amina@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/members/password/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:password_reset_complete")
    member.user.refresh_from_db()
    assert member.user.check_password("a-brand-new-passphrase")


def test_every_page_offers_a_log_in_link_that_returns_to_the_page(client):
    content = client.get(reverse("depository:browse") + "?q=crime").content.decode()
    assert '<a href="/members/login/?next=/depository/%3Fq%3Dcrime">Log in</a>' in content
    assert "Log out" not in content
    # The login page does not link to itself.
    assert ">Log in</a>" not in client.get(reverse("members:login")).content.decode()


def test_a_signed_in_member_sees_who_they_are_and_logs_out_from_the_header(client, member):
    client.force_login(member.user)
    content = client.get(reverse("home")).content.decode()
    assert "Signed in as amina" in content
    assert f'<form action="{reverse("members:logout")}" method="post">' in content
    assert ">Log in</a>" not in content
    response = client.post(reverse("members:logout"))
    assert response["Location"] == reverse("home")
    assert ">Log in</a>" in client.get(reverse("home")).content.decode()
