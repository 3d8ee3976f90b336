"""'Newest' sorts by the work's own date, then by when it was added (issue 22, finding 9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0025_reference_import_updated_at"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="entry",
            name="entry_published_newest_idx",
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                models.OrderBy(models.F("year"), descending=True, nulls_last=True),
                models.OrderBy(models.F("date_issued"), descending=True, nulls_last=True),
                models.OrderBy(models.F("published_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.F("id"),
                condition=models.Q(("status", "published")),
                name="entry_published_newest_idx",
            ),
        ),
    ]
