import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """ReferenceImport.updated_at: a QUEUED or RUNNING import that stopped moving is found and may be
    confirmed again (issue 22, finding 5). Existing rows take the time of the migration."""

    dependencies = [
        ("depository", "0024_search_documents_bounded"),
    ]

    operations = [
        migrations.AddField(
            model_name="referenceimport",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
    ]
