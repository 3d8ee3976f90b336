"""The search documents' GIN indexes, one per language group, keep a pending list of at most 64 kB
instead of 256 (issue 23; depository/models/search_documents.py, GIN_PENDING_LIST_KB, says why). The
indexes are altered in place (ALTER INDEX ... SET), not dropped and built again as Django's
RemoveIndex/AddIndex would; Django's state records the new definitions. Written out as the model
declares the indexes now, as migration 0042 wrote them."""

import django.contrib.postgres.indexes
from django.db import migrations, models

GROUPS = {
    "en": models.Q(("language", "en")),
    "es": models.Q(("language", "es")),
    "fr": models.Q(("language", "fr")),
    "ar": models.Q(("language", "ar")),
    "other": models.Q(("language__in", ("en", "es", "fr", "ar")), _negated=True),
}
FIELDS = {"document": "document", "title_vector": "title"}
INDEXES = {
    f"entry_search_{prefix}_{group}": (field, condition)
    for field, prefix in FIELDS.items()
    for group, condition in GROUPS.items()
}


class Migration(migrations.Migration):
    dependencies = [("depository", "0045_any_word_inlined")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER INDEX {name} SET (gin_pending_list_limit = 64)",
                    f"ALTER INDEX {name} SET (gin_pending_list_limit = 256)",
                )
                for name in INDEXES
            ],
            state_operations=[
                *(migrations.RemoveIndex(model_name="entrysearchdocument", name=name) for name in INDEXES),
                *(
                    migrations.AddIndex(
                        model_name="entrysearchdocument",
                        index=django.contrib.postgres.indexes.GinIndex(
                            condition=condition, fields=[field], gin_pending_list_limit=64, name=name
                        ),
                    )
                    for name, (field, condition) in INDEXES.items()
                ),
            ],
        )
    ]
