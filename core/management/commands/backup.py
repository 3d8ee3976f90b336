from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, one snapshot) and every uploaded file (MEDIA_ROOT and "
        "PRIVATE_MEDIA_ROOT, or the S3 bucket's objects) into one tar file with a manifest of row counts "
        "and SHA-256 checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Directory to write the backup into (default: backups/).",
        )

    def handle(self, *args, output_dir, **options):
        try:
            result = create_backup(output_dir=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path}: {result.tables} tables ({result.rows} rows), "
                f"{result.files} files ({result.bytes} bytes)."
            )
        )
