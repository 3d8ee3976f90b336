"""The search documents kept in their table's own pages, not in its TOAST table (issue 23).

A search reads whole documents twice: ranking its candidates (ts_rank over each document) and, for
each card of the page, asking whether the summaries hold a word of the query (text.headline_sql). A
document of the anchor corpus is ~3.4 kB, over PostgreSQL's TOAST threshold of ~2 kB a row, so each
was stored out of line, uncompressed (pg_column_compression was NULL for all of them): every read
was an index lookup in the TOAST table and two chunks fetched and copied. With `toast_tuple_target`
at its largest (8,160 bytes), a row up to a page is kept whole in the table (a longer document, with
the text of its files, is still moved out). Measured at 100,000 entries, the same statements against
a copy of the table stored each way, taking turns: `kidnapping`'s two statements 2.37 to 2.12 ms
(medians of 300), and 2.81 to 2.51 ms with Q4's and Q3's statements run between each (colder
caches, as in the benchmark's loop). The table's pages grow from 20 to 391 MB, its TOAST table
shrinks by as much: the same size in all. This needs migration 0042's GIN index per language group:
with one index over every group, each group's arm read other groups' rows too, now from the larger
table, and Q4-like throughput fell from 95 to 70 requests/s (docs/search.md).

The setting applies to rows as they are written; VACUUM FULL writes every row again now (~10 s at
100,000 entries; the table is locked meanwhile, reads included, so searches wait; its indexes are
rebuilt with it, the GIN indexes being dropped by 0040 and built again by 0042). It also leaves no
dead row of 0040's filling. VACUUM cannot run in a transaction, hence a migration that is not
atomic. Reversing resets the setting and moves the documents out again.
"""

from django.db import migrations

TABLE = "depository_entrysearchdocument"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("depository", "0040_search_documents_carry_tie_breaks")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET (toast_tuple_target = 8160)",
            f"ALTER TABLE {TABLE} RESET (toast_tuple_target)",
        ),
        migrations.RunSQL(f"VACUUM FULL {TABLE}", f"VACUUM FULL {TABLE}"),
    ]
