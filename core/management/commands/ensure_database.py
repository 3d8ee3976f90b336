import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it does not exist yet (keeps an existing one)."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        params = {
            "dbname": "postgres",
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
            "host": db["HOST"] or None,
            "port": db["PORT"] or None,
            "connect_timeout": 5,
        }
        try:
            connection = psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
        except psycopg2.OperationalError as error:
            raise CommandError(f"Cannot reach PostgreSQL at {db['HOST']}:{db['PORT']}: {error}") from error
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone():
                    self.stdout.write(f"Database {db['NAME']} exists.")
                    return
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(db["NAME"]))
                )
                self.stdout.write(self.style.SUCCESS(f"Created database {db['NAME']}."))
        finally:
            connection.close()
