"""Rebuild the depository's indexes from the entries: the facet index, the lexeme index (which words
are common enough for a bit string and a champion list is decided here), and with --documents every
entry's search document first. Everything is kept current on every change; run this after a bulk
load that sent no signals, or now and then so that words that became common get their row."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from depository import lexicon, postings, search


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--documents", action="store_true", help="Rewrite every search document first.")
        parser.add_argument(
            "--min-entries",
            type=int,
            default=lexicon.MIN_ENTRIES,
            help="A word in at least this many documents gets a bit string and a champion list.",
        )
        parser.add_argument("--champions", type=int, default=lexicon.CHAMPIONS, help="Length of a champion list.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            if options["documents"]:
                search.reindex_all()
            postings.rebuild()
            lexicon.rebuild(min_entries=options["min_entries"], champions=options["champions"])
        self.stdout.write(f"Indexes rebuilt in {time.perf_counter() - started:.1f} s.")
