"""The floors of issue 19 moved models between apps (Person and Organization to people, City to places)
by changing Django's state only. A database at main's schema before the move (tests/fixtures: a pg_dump
taken at 22672f1 with the TWG records, an organizer, a member, creators linked to people and an admin log
entry) migrates forward with every row intact, and what pointed at a moved model still does."""

import gzip
import os
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from core.backups.postgres import client_environment, client_program, server_major_version, table_row_counts

FIXTURE = settings.BASE_DIR / "tests" / "fixtures" / "database_at_22672f1.sql.gz"
pytestmark = pytest.mark.servers  # a database of its own and a manage.py subprocess


def connect(name):
    params = connection.settings_dict
    return psycopg2.connect(
        dbname=name, user=params["USER"], password=params["PASSWORD"], host=params["HOST"], port=params["PORT"]
    )


@pytest.fixture
def old_database(django_db_blocker):
    """A scratch database restored from the fixture; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_at_22672f1"[:63]
    with django_db_blocker.unblock():
        admin = connect("postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
            major = server_major_version(cursor)
        # pg_dump's plain format is psql's to read (COPY ... FROM stdin, meta-commands).
        subprocess.run(
            [client_program("psql", major), "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=gzip.decompress(FIXTURE.read_bytes()),
            env=client_environment(),
            capture_output=True,
            check=True,
            timeout=120,
        )
        yield name
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_database_at_the_old_schema_migrates_with_every_row_intact(old_database):
    before_db = connect(old_database)
    with before_db.cursor() as cursor:
        before = table_row_counts(cursor)
        cursor.execute("SELECT id, entry_id, person_id FROM depository_creator WHERE person_id IS NOT NULL ORDER BY id")
        linked_creators = cursor.fetchall()
        cursor.execute("SELECT city_id, citytype_id FROM depository_city_city_types ORDER BY 1, 2")
        city_types = cursor.fetchall()
        cursor.execute("SELECT person_id, organization_id FROM members_member")
        members = cursor.fetchall()
    before_db.close()
    assert linked_creators and city_types and members  # the fixture holds what the test is about

    params = connection.settings_dict
    url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{old_database}"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "Applying people.0001_people_from_meetings... OK" in migrate.stdout

    after_db = connect(old_database)
    with after_db.cursor() as cursor:
        after = table_row_counts(cursor)
        # Every table of before is still there with as many rows, apart from the migrations' own ledger
        # and the content types and permissions that models added since (issue 22's tables) bring.
        grown = {"django_migrations", "django_content_type", "auth_permission"}
        assert {t: n for t, n in after.items() if t in before and t not in grown} == {
            t: n for t, n in before.items() if t not in grown
        }
        assert all(after[table] >= before[table] for table in grown)
        cursor.execute("SELECT id, entry_id, person_id FROM depository_creator WHERE person_id IS NOT NULL ORDER BY id")
        assert cursor.fetchall() == linked_creators
        cursor.execute("SELECT city_id, citytype_id FROM depository_city_city_types ORDER BY 1, 2")
        assert cursor.fetchall() == city_types
        cursor.execute("SELECT person_id, organization_id FROM members_member")
        assert cursor.fetchall() == members
        # Permissions and the admin's log follow the models: their content types were renamed, not replaced.
        cursor.execute(
            "SELECT app_label, model FROM django_content_type WHERE model IN ('person', 'organization', 'city') "
            "ORDER BY app_label, model"
        )
        assert cursor.fetchall() == [("people", "organization"), ("people", "person"), ("places", "city")]
        cursor.execute(
            "SELECT ct.app_label FROM django_admin_log log JOIN django_content_type ct ON ct.id = log.content_type_id"
        )
        assert cursor.fetchall() == [("people",)]
        cursor.execute(
            "SELECT count(*) FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id "
            "JOIN django_content_type ct ON ct.id = p.content_type_id WHERE ct.app_label = 'people'"
        )
        assert cursor.fetchone()[0] == 8  # the organizers keep add/change/delete/view of both models
    after_db.close()


def test_the_moved_models_read_the_same_tables():
    from people.models import Organization, Person
    from places.models import City

    assert (Person._meta.db_table, Organization._meta.db_table, City._meta.db_table) == (
        "meetings_person",
        "meetings_organization",
        "depository_city",
    )


def test_old_admin_addresses_of_moved_models_lead_to_the_new_ones(client):
    response = client.get("/admin/meetings/person/12/change/?_changelist_filters=q%3Dx")
    assert response.status_code == 301
    assert response["Location"] == "/admin/people/person/12/change/?_changelist_filters=q%3Dx"
    assert client.get("/admin/depository/city/")["Location"] == "/admin/places/city/"
    assert client.get("/admin/meetings/organization/add/")["Location"] == "/admin/people/organization/add/"
