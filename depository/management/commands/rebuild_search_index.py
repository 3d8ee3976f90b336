"""Rebuild the depository's search index from the entries: every search document and facet row.
Everything is kept current at the commit of every change (depository.search); run this after
restoring rows by hand, or to measure a full rebuild."""

import time

from django.core.management.base import BaseCommand

from depository import search


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = search.rebuild()  # documents on two connections, then the facet rows in one transaction
        self.stdout.write(f"Search index rebuilt for {count} entries in {time.perf_counter() - started:.1f} s.")
