"""A participant's city then: where the meeting's list places them (issue 22, finding 9)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0007_entry_freshness"),
        ("places", "0001_city_from_depository"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="city",
            field=models.ForeignKey(
                blank=True,
                help_text="Where the meeting's list places the person, if it says; else their organization's city counts.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="participations",
                to="places.city",
                verbose_name="city then",
            ),
        ),
    ]
