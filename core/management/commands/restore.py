from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, which must be empty, "
        "and its files into MEDIA_ROOT and PRIVATE_MEDIA_ROOT (or the configured S3 bucket). Every "
        "checksum is verified before "
        "anything is changed, and every table's row count after."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file (backups/twg-backup-....tar).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that is not empty, and write over existing files.",
        )

    def handle(self, *args, backup, force, **options):
        try:
            result = restore_backup(backup_path=backup, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.tables} tables ({result.rows} rows) and {result.files} files "
                f"({result.bytes} bytes); every row count and checksum matches the manifest."
            )
        )
