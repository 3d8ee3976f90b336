"""The search documents' GIN indexes (document, title) as one per language group, each over that group's
rows (issue 23; depository.models.search_documents.per_language_group says why), in place of the two
that migration 0040 dropped. Built while the table is locked against writes, as Django's AddIndex
builds an index: ~12 s for the ten at 100,000 entries; searches keep reading meanwhile. The groups
and conditions are written out here, as the model declared them when this migration was made."""

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


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0041_search_documents_inline"),
    ]

    operations = [
        *(
            migrations.AddIndex(
                model_name="entrysearchdocument",
                index=django.contrib.postgres.indexes.GinIndex(
                    condition=condition,
                    fields=[field],
                    gin_pending_list_limit=256,
                    name=f"entry_search_{prefix}_{group}",
                ),
            )
            for field, prefix in FIELDS.items()
            for group, condition in GROUPS.items()
        ),
    ]
