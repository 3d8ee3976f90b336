from django.core.management.base import BaseCommand, CommandError

from portal.records import RECORDS_FILE, RecordsError, load_records


class Command(BaseCommand):
    help = (
        "Load the TWG's records (meetings, participants, programme, work plan, vocabularies, glossary, entries) "
        "from portal/records/twg_records.yaml. Idempotent: existing records are kept as curated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(RECORDS_FILE), help="Records file (YAML).")
        parser.add_argument("--update", action="store_true", help="Overwrite existing records with the file's values.")

    def handle(self, *args, **options):
        try:
            report = load_records(path=options["file"], update=options["update"])
        except RecordsError as error:
            raise CommandError(str(error)) from error
        if report.changed_nothing:
            self.stdout.write("TWG records: already loaded, nothing changed.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
                self.stdout.write(self.style.SUCCESS(f"TWG records {label}: {summary}"))
