import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from twg_portal import settings as settings_module
from twg_portal.settings import database_from_url, envbool

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-of-sufficient-length-and-randomness-4f8e2c9a7b1d6e3f",
    "ALLOWED_HOSTS": "twg.example.org",
    "SECURE_HTTPS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/twg_portal",
    "EMAIL_HOST": "smtp.example.org",
}


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.servers
def test_check_deploy_is_silent_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.servers
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "SECRET_KEY_FILE": str(tmp_path / "absent")}
    result = subprocess.run(
        [sys.executable, "-c", "import twg_portal.settings"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_database_url_is_parsed_into_a_postgres_database():
    database = database_from_url("postgres://twg:s%40cret@db.example.org:6543/portal?sslmode=require")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("portal", "twg", "s@cret")
    assert (database["HOST"], database["PORT"]) == ("db.example.org", "6543")
    assert database["OPTIONS"]["sslmode"] == "require"
    assert database["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["mysql://root@localhost/twg", "postgres://postgres@127.0.0.1:5432/"])
def test_a_database_url_that_is_not_postgres_or_names_no_database_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_envbool_refuses_values_it_cannot_read(monkeypatch):
    monkeypatch.setenv("TWG_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        envbool("TWG_FLAG")
    monkeypatch.setenv("TWG_FLAG", "Yes")
    assert envbool("TWG_FLAG") is True


def test_defaults_are_safe(settings):
    assert settings.DEBUG is False
    assert settings.TIME_ZONE == "UTC" and settings.USE_TZ is True
    # (the test runner swaps the mailer for its in-memory one; read the module as configured)
    assert settings_module.MAILERS["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert "*" not in settings.ALLOWED_HOSTS


@pytest.mark.servers
def test_smtp_is_configured_from_the_environment():
    script = "from django.conf import settings; print(settings.MAILERS['default']['OPTIONS']['host'])"
    env = {
        **os.environ,
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_HOST_USER": "twg",
        "DJANGO_SETTINGS_MODULE": "twg_portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "smtp.example.org", result.stderr


def test_a_test_that_switches_language_leaves_it_behind_only_for_itself():
    """The autouse `default_language` fixture (tests/conftest.py) resets it after each test; the next
    test, in this module, checks."""
    from django.utils import translation

    translation.activate("ar")
    assert translation.get_language() == "ar"


def test_the_next_test_starts_in_the_default_language(settings):
    from django.utils import translation

    assert translation.get_language() == settings.LANGUAGE_CODE


# The middleware chain, outermost first, as settings.py writes it. A reorder changes what wraps what
# (the CSP header on the 503 page, gzip after whitenoise, the replica's choice after the view is known):
# change this list only with the reason in settings.py beside the entry.
MIDDLEWARE_WITHOUT_REPLICA = [
    "django.middleware.security.SecurityMiddleware",
    "core.body_limits.RequestBodyLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "usage.middleware.UsageCountingMiddleware",
]


def middleware_with(**variables):
    """MIDDLEWARE as settings.py computes it in a fresh process with these environment variables."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_REPLICA_URL"}
    env.update(variables)
    result = subprocess.run(
        [sys.executable, "-c", "import json; from twg_portal import settings as s; print(json.dumps(s.MIDDLEWARE))"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_middleware_chain_is_in_its_written_order_without_a_replica():
    assert middleware_with() == MIDDLEWARE_WITHOUT_REPLICA


def test_a_replica_adds_its_middleware_innermost_and_changes_nothing_else():
    middleware = middleware_with(DATABASE_REPLICA_URL="postgres://reader@replica.example.org:5433/twg_portal")
    assert middleware == [*MIDDLEWARE_WITHOUT_REPLICA, "core.db_routers.ReadReplicaMiddleware"]
