"""The cache (issue 7, docs/deployment.md): a table of the database, or Redis when REDIS_URL is set; never
one process's memory. Only what may be forgotten is kept there: django-import-export's pending files
wait in the private storage (issue 22, finding 1; the cache-flooding test is tests/test_durable_state.py)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection

from depository.models import Entry
from tests.test_entry_spreadsheets import GOOD_CSV, PROCESS_URL, csv_upload, dry_run, vocabulary  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent
IMPORT_PREFIX = ":1:django-import-export-"  # CacheStorage's prefix, behind the cache's own key prefix and version


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis server of the test's own (Debian's redis-server, which `make test` installs when it is
    missing) on a free loopback port, keeping nothing on disk; stopped afterwards."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/15"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    client.close()
    server.terminate()
    server.wait(timeout=10)


def cache_rows(prefix):
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM twg_cache WHERE cache_key LIKE %s", [prefix + "%"])
        return [row[0] for row in cursor.fetchall()]


def test_the_cache_is_a_table_of_the_database(db):
    """The test database has the table (Django's create_test_db runs createcachetable, as `make run` does)."""
    assert isinstance(caches["default"], DatabaseCache)
    cache.set("greeting", "shared by every web server", 60)
    assert cache_rows(":1:greeting") == [":1:greeting"]
    assert cache.get("greeting") == "shared by every web server"


def test_an_import_waits_for_its_confirmation_in_the_private_storage(organizer_client, vocabulary, media_roots):  # noqa: F811
    """Between the dry run and the confirmation the file is kept where every web server finds it and
    nothing forgets it (issue 22, finding 1): the private storage, never the cache, never /tmp."""
    response = dry_run(organizer_client, csv_upload(GOOD_CSV))
    confirm = response.context["confirm_form"].initial
    name = confirm["import_file_name"]
    pending = Path(settings.PRIVATE_MEDIA_ROOT) / "django-import-export" / name
    assert pending.read_bytes() == GOOD_CSV.encode()
    assert cache_rows(IMPORT_PREFIX) == []
    assert not (Path(tempfile.gettempdir()) / name).exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob(name))  # not among the public files

    assert organizer_client.post(PROCESS_URL, confirm).status_code == 302
    assert Entry.objects.filter(slug="safer-cities-toolkit").exists()
    assert not pending.exists()  # removed once imported


def cache_in_a_fresh_interpreter(environment):
    code = (
        "import django, json; django.setup()\n"
        "from django.core.cache import cache, caches\n"
        "cache.set('fresh-interpreter', 42, 60)\n"
        "print(json.dumps([type(caches['default']).__name__, cache.get('fresh-interpreter')]))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(environment, DJANGO_SETTINGS_MODULE="twg_portal.settings")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.servers
def test_with_redis_url_the_cache_is_redis(redis_url):
    assert cache_in_a_fresh_interpreter({"REDIS_URL": redis_url}) == ["RedisCache", 42]
    client = redis.Redis.from_url(redis_url)
    assert client.get(":1:fresh-interpreter") == b"42"  # written to that Redis database by the other process
    client.flushdb()
    client.close()


def test_an_unconfirmed_import_is_removed_after_a_day(organizer_client, vocabulary, media_roots):  # noqa: F811
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "django-import-export"
    first = dry_run(organizer_client, csv_upload(GOOD_CSV)).context["confirm_form"].initial["import_file_name"]
    second = dry_run(organizer_client, csv_upload(GOOD_CSV)).context["confirm_form"].initial["import_file_name"]
    assert sorted(path.name for path in folder.iterdir()) == sorted([first, second])
    two_days_ago = time.time() - 2 * 86400
    os.utime(folder / first, (two_days_ago, two_days_ago))
    third = dry_run(organizer_client, csv_upload(GOOD_CSV)).context["confirm_form"].initial["import_file_name"]
    assert sorted(path.name for path in folder.iterdir()) == sorted([second, third])


@pytest.mark.servers
def test_an_import_with_redis_keeps_nothing_in_redis(organizer_client, vocabulary, settings, redis_url, media_roots):  # noqa: F811
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    client = redis.Redis.from_url(redis_url)
    try:
        response = dry_run(organizer_client, csv_upload(GOOD_CSV))
        confirm = response.context["confirm_form"].initial
        assert client.keys(IMPORT_PREFIX + "*") == []
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / "django-import-export" / confirm["import_file_name"]).exists()
        assert organizer_client.post(PROCESS_URL, confirm).status_code == 302
        assert Entry.objects.filter(slug="safer-cities-toolkit").exists()
    finally:
        client.flushdb()
        client.close()
