"""Repeated failed logins lock the account and the address out for a cool-off period (django-axes)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.views import LoginView
from django.urls import path, reverse
from django.utils import timezone

from twg_portal import urls as project_urls

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "organizer-pass-1"  # the `organizer` fixture's

# A plain Django LoginView, as the members' login page will be: it is covered without any code of its own.
urlpatterns = [
    path("login/", LoginView.as_view(template_name="admin/login.html"), name="plain-login"),
    *project_urls.urlpatterns,
]


def attempt(client, username, password, address="192.0.2.10", url=LOGIN_URL):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_the_limit(client, username, addresses, settings, url=LOGIN_URL):
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, username, "wrong-password", address=addresses[number % len(addresses)], url=url)
        if number < settings.AXES_FAILURE_LIMIT - 1:
            assert response.status_code == 200
            assert "correct username and password" in response.text
    return response


def assert_locked_out(response, client):
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "Please try again in 15 minutes" in response.text
    assert SESSION_KEY not in client.session


def pretend_time_passed(minutes):
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes))


def test_the_limit_and_cool_off_come_from_the_settings(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0] == "core.auth_backends.LoginLockoutBackend"


# Every login form of the portal: the lock and the slowdown come from the authentication backend, so
# each form that calls authenticate(request, ...) has them (password reset and change never do).
LOGIN_FORMS = [LOGIN_URL, "/members/login/"]


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_a_pair_is_locked_after_repeated_failures_even_with_the_right_password(client, organizer, settings, url):
    response = fail_until_the_limit(client, "olga", ["192.0.2.10"], settings, url=url)
    assert_locked_out(response, client)

    response = attempt(client, "olga", PASSWORD, url=url)
    assert_locked_out(response, client)
    assert response["Retry-After"] == str(15 * 60)


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_the_real_user_logs_in_from_another_address_while_the_attackers_pair_is_locked(
    client, organizer, settings, url
):
    fail_until_the_limit(client, "olga", ["192.0.2.1"], settings, url=url)
    # The attacker keeps trying: refused, and the refusals renew nothing.
    for _ in range(20):
        assert attempt(client, "olga", "wrong-password", address="192.0.2.1", url=url).status_code == 429

    response = attempt(client, "olga", PASSWORD, address="203.0.113.99", url=url)  # the real organizer
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(organizer.pk)


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_failures_for_other_names_do_not_lock_an_address(client, organizer, superuser, settings, url):
    for number in range(3 * settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{number}", "wrong-password", address="198.51.100.20", url=url)

    # Everyone else behind the same address still logs in.
    response = attempt(client, "root", "superuser-pass-1", address="198.51.100.20", url=url)
    assert response.status_code == 302


def test_a_username_failed_from_many_addresses_is_slowed_down_not_locked(client, organizer, settings):
    settings.LOGIN_USERNAME_SLOWDOWN_AFTER = 10
    settings.LOGIN_USERNAME_SLOWDOWN_SECONDS = 60
    # Ten addresses, one failure each: no pair reaches the limit, the username reaches the slowdown.
    for number in range(10):
        assert attempt(client, "olga", "wrong-password", address=f"192.0.2.{number}").status_code == 200

    # Within the minute after the latest failure, no attempt is checked, from any address: not even
    # the right password (a checked attempt would be a guess).
    slowed = attempt(client, "olga", PASSWORD, address="203.0.113.99")
    assert slowed.status_code == 429
    assert "accepts one attempt at a time" in slowed.text
    assert 55 <= int(slowed["Retry-After"]) <= 60
    assert SESSION_KEY not in client.session
    # A refused attempt is not recorded, so it does not push the wait further.
    assert AccessAttempt.objects.filter(username="olga").count() == 10
    # Another username is not slowed.
    assert attempt(client, "root-unknown", "wrong-password", address="203.0.113.99").status_code == 200

    # A minute after the latest failure the real user gets in, from an address that never failed.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(seconds=61))
    response = attempt(client, "olga", PASSWORD, address="203.0.113.99")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(organizer.pk)


def test_an_organizer_unlocks_a_pair_by_hand(client, organizer, settings):
    from django.core.management import call_command

    fail_until_the_limit(client, "olga", ["192.0.2.10"], settings)
    assert attempt(client, "olga", PASSWORD).status_code == 429
    call_command("axes_reset_username", "olga", verbosity=0)
    assert attempt(client, "olga", PASSWORD).status_code == 302


def test_an_organizer_unlocks_from_the_admin(client, organizer, superuser, settings):
    from tests.members_helpers import client_for

    fail_until_the_limit(client, "olga", ["192.0.2.10"], settings)
    locked = AccessAttempt.objects.get(username="olga")
    admin = client_for(superuser)
    response = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[locked.pk]), {"post": "yes"}, REMOTE_ADDR="192.0.2.200"
    )
    assert response.status_code == 302
    assert attempt(client, "olga", PASSWORD).status_code == 302


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_the_count(client, organizer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "olga", "wrong-password")
    response = attempt(client, "olga", PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "olga", "wrong-password").status_code == 200
    assert attempt(client, "olga", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_is_accepted_again(client, organizer, settings):
    fail_until_the_limit(client, "olga", ["192.0.2.10"], settings)
    pretend_time_passed(minutes=14)
    assert_locked_out(attempt(client, "olga", PASSWORD), client)

    pretend_time_passed(minutes=16)
    response = attempt(client, "olga", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == str(organizer.pk)


@pytest.mark.urls(__name__)
def test_a_plain_django_login_view_is_covered_too(client, organizer, settings):
    response = fail_until_the_limit(client, "olga", ["192.0.2.10"], settings, url="/login/")
    assert response.status_code == 429
    assert attempt(client, "olga", PASSWORD, url="/login/").status_code == 429


def test_logins_without_a_request_are_not_counted(client, organizer, settings):
    # The test client's login() and management commands call authenticate() without a request.
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert client.login(username="olga", password="wrong-password") is False
    assert client.login(username="olga", password=PASSWORD) is True
    assert not AccessAttempt.objects.exists()


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, organizer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(settings.AXES_FAILURE_LIMIT):
        # A visitor can write anything on the left of X-Forwarded-For; the proxy appends the real address.
        client.post(
            LOGIN_URL,
            {"username": "olga", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 203.0.113.5",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    locked = client.post(
        LOGIN_URL,
        {"username": "olga", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert locked.status_code == 429
    other = client.post(
        LOGIN_URL,
        {"username": "olga", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other.status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_header_is_ignored(client, organizer, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN_URL,
            {"username": "olga", "password": "wrong"},
            REMOTE_ADDR="192.0.2.44",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.44"}


def test_password_validators_refuse_a_weak_password(organizer):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short1", "1234567890123", "password123", "olga-example"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=get_user_model()(username="olga-example", email="olga@example.org"))
