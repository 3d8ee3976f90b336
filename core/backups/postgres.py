"""PostgreSQL for backups: connections, pg_dump/pg_restore of the server's version, row counts."""

import os
import shutil

# pg_dump and pg_restore run from argument lists, never through a shell.
import subprocess  # nosec B404
from pathlib import Path

import psycopg2
from django.conf import settings
from psycopg2 import sql

from core.backups.common import BackupError


def database_settings():
    return settings.DATABASES["default"]


def connect(dbname=None):
    db = database_settings()
    params = {
        "dbname": dbname or db["NAME"],
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "connect_timeout": 5,
    }
    try:
        return psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
    except psycopg2.OperationalError as error:
        raise BackupError(f"Cannot connect to database {params['dbname']}: {str(error).strip()}") from error


def client_environment():
    """libpq's environment for pg_dump/pg_restore: the connection comes from settings, not the command line."""
    db = database_settings()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, value in {"PGHOST": db["HOST"], "PGPORT": db["PORT"], "PGUSER": db["USER"]}.items():
        if value:
            env[key] = str(value)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGCONNECT_TIMEOUT"] = "5"
    return env


def server_major_version(cursor):
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def client_program(name, server_major):
    """pg_dump or pg_restore of the server's major version (Debian installs each version in its own
    directory), else the one on PATH if it is at least as new as the server."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for program in candidates:
        if not program.is_file():
            continue
        version = run_client([str(program), "--version"], env=None).stdout.split()[-1]
        if int(version.split(".")[0]) >= server_major:
            return str(program)
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} or newer. Install Debian's postgresql-client-{server_major} "
        "(`make backup` does it when it is missing)."
    )


def run_client(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")
    return result


def table_row_counts(cursor):
    """Every table of the database (outside PostgreSQL's own schemas) and its number of rows."""
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY table_schema, table_name"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        name = table if schema == "public" else f"{schema}.{table}"
        counts[name] = cursor.fetchone()[0]
    return counts


def relation_count(cursor):
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    )
    return cursor.fetchone()[0]


def dump_database(dump_path):
    """pg_dump the database, and count its rows, in one snapshot: the counts describe the dump exactly."""
    connection = connect()
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            major = server_major_version(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            row_counts = table_row_counts(cursor)
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            pg_dump = client_program("pg_dump", major)
            run_client(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump_path}",
                    f"--dbname={database_settings()['NAME']}",
                ],
                env=client_environment(),
            )
            pg_dump_version = run_client([pg_dump, "--version"], env=None).stdout.strip()
        connection.rollback()
    finally:
        connection.close()
    return {
        "name": database_settings()["NAME"],
        "server_version": server_version,
        "pg_dump": pg_dump_version,
        "row_counts": row_counts,
    }


def restore_database(dump_path, *, expected, force):
    connection = connect()
    try:
        with connection.cursor() as cursor:
            major = server_major_version(cursor)
            if force:
                # Replace everything Django keeps in the public schema (tables, sequences, extensions).
                cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
                cursor.execute("CREATE SCHEMA public")
                connection.commit()
        run_client(
            [
                client_program("pg_restore", major),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database_settings()['NAME']}",
                str(dump_path),
            ],
            env=client_environment(),
        )
        with connection.cursor() as cursor:
            counts = table_row_counts(cursor)
        connection.rollback()
    finally:
        connection.close()
    differences = {
        table: (expected.get(table), counts.get(table))
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    }
    if differences:
        listed = ", ".join(
            f"{table}: {want} in the backup, {got} restored" for table, (want, got) in differences.items()
        )
        raise BackupError(f"The restored database does not match the manifest: {listed}")
