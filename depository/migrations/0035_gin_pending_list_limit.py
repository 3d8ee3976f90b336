"""The search documents' GIN indexes keep a pending list of at most 256 kB (issue 23;
depository/models/search_documents.py says why). The indexes are altered in place (ALTER INDEX ... SET),
not dropped and built again as Django's RemoveIndex/AddIndex would (minutes at 100,000 entries);
Django's state records the new definitions."""

import django.contrib.postgres.indexes
from django.db import migrations

INDEXES = {"entry_search_document_gin": "document", "entry_search_title_gin": "title_vector"}


class Migration(migrations.Migration):
    dependencies = [("depository", "0034_inlined_bit_test")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER INDEX {name} SET (gin_pending_list_limit = 256)",
                    f"ALTER INDEX {name} RESET (gin_pending_list_limit)",
                )
                for name in INDEXES
            ],
            state_operations=[
                *(migrations.RemoveIndex(model_name="entrysearchdocument", name=name) for name in INDEXES),
                *(
                    migrations.AddIndex(
                        model_name="entrysearchdocument",
                        index=django.contrib.postgres.indexes.GinIndex(
                            fields=[field], gin_pending_list_limit=256, name=name
                        ),
                    )
                    for name, field in INDEXES.items()
                ),
            ],
        )
    ]
