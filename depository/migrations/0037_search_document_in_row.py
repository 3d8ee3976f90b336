"""The search document kept in its row rather than in the TOAST table (issue 23;
depository/models/search_documents.py says why), and the title's vector with it: with the document's
storage MAIN alone, PostgreSQL shrank a row past 2 kB by moving its small title vector out of line
first (a chunk of 32 bytes for a 4.8 kB document). STORAGE applies to the values written from now on:
each document moves into its row when it is next written (any change to its entry, or
rebuild_search_index for one that differs); an existing database keeps the others where they are,
which reads the same, only slower. Nothing in Django's state: a column's storage is not a field's
option."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("depository", "0036_snippet_words")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE depository_entrysearchdocument ALTER COLUMN {column} SET STORAGE MAIN",
            f"ALTER TABLE depository_entrysearchdocument ALTER COLUMN {column} SET STORAGE EXTENDED",
        )
        for column in ["document", "title_vector"]
    ]
