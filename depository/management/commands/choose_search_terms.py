"""Choose which frequent words have a term row in the search index, and write those rows.

Term rows (depository.models.TermPosting, docs/search.md) answer searches for common words without
the GIN index. Between runs they follow every change by difference; which words have one is chosen
here: after a large import, or weekly from cron (docs/search.md). Reads every document's
words in one transaction (~30 s at 100,000 entries); readers see the old rows until it commits."""

import argparse
import time

from django.core.management.base import BaseCommand

from depository import search


def positive(text):
    """argparse type: an integer of at least 1 (a word in no entry, or no word at all, chooses nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-entries",
            type=positive,
            default=search.TERM_MIN_ENTRIES,
            help=f"Only words found in at least this many entries (default {search.TERM_MIN_ENTRIES}).",
        )
        parser.add_argument(
            "--per-language",
            type=positive,
            default=search.TERMS_PER_LANGUAGE,
            help=f"At most this many words per language (default {search.TERMS_PER_LANGUAGE}).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = search.choose_terms(min_entries=options["min_entries"], per_language=options["per_language"])
        self.stdout.write(f"{rows} term rows written in {time.perf_counter() - started:.1f} s.")
