"""DATABASE_REPLICA_URL's settings (issue 13). The routing itself is proven against a real streaming
replica by tests/fault/test_read_replica.py (`make fault-test`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION, run_manage

BASE_DIR = Path(__file__).resolve().parent.parent
REPLICA_URL = "postgres://reader@replica.example.org:5433/twg_portal?connect_timeout=2"
SHOW_SETTINGS = (
    "import json; from twg_portal import settings as s; print(json.dumps({'aliases': sorted(s.DATABASES),"
    " 'replica': s.DATABASES.get('replica'), 'routers': getattr(s, 'DATABASE_ROUTERS', []),"
    " 'last_middleware': s.MIDDLEWARE[-1]}))"
)


def settings_with(**variables):
    env = {key: value for key, value in os.environ.items() if not key.startswith("REPLICA_")}
    env.pop("DATABASE_REPLICA_URL", None)
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_a_replica_url_there_is_one_database_and_no_router(settings):
    assert list(settings.DATABASES) == ["default"]
    assert settings.DATABASE_ROUTERS == []
    assert "core.db_routers.ReadReplicaMiddleware" not in settings.MIDDLEWARE


@pytest.mark.servers
def test_a_replica_url_adds_the_replica_alias_the_router_and_the_middleware():
    result = settings_with(DATABASE_REPLICA_URL=REPLICA_URL)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["aliases"] == ["default", "replica"]
    replica = shown["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["NAME"]) == (
        "replica.example.org",
        "5433",
        "reader",
        "twg_portal",
    )
    assert replica["OPTIONS"]["connect_timeout"] == "2"
    assert replica["TEST"] == {"MIRROR": "default"}
    assert shown["routers"] == ["core.db_routers.ReplicaRouter"]
    assert shown["last_middleware"] == "core.db_routers.ReadReplicaMiddleware"


@pytest.mark.servers
def test_a_read_your_writes_window_shorter_than_lag_bound_plus_check_period_is_refused():
    result = settings_with(
        DATABASE_REPLICA_URL=REPLICA_URL,
        REPLICA_MAX_LAG_SECONDS="5",
        REPLICA_CHECK_SECONDS="3",
        REPLICA_READ_YOUR_WRITES_SECONDS="8",
    )
    assert result.returncode != 0
    assert "REPLICA_READ_YOUR_WRITES_SECONDS must exceed" in result.stderr


@pytest.mark.servers
def test_a_replica_url_that_is_not_postgres_is_refused_by_its_own_name():
    result = settings_with(DATABASE_REPLICA_URL="mysql://reader@replica.example.org/twg")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must be a postgres:// URL" in result.stderr


def test_check_deploy_is_silent_with_a_replica():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={**PRODUCTION, "DATABASE_REPLICA_URL": REPLICA_URL},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
