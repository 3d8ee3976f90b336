from django.db import migrations


class Migration(migrations.Migration):
    """The author strings live on as creators (0010)."""

    dependencies = [("depository", "0014_creators_from_author_strings")]

    operations = [migrations.RemoveField(model_name="entry", name="authors")]
