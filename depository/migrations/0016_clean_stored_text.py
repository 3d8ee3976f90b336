"""Stored text cleaned as `core.text.clean_text` cleans new text: characters XML 1.0 forbids
removed, NFC. One UPDATE per text column of the portal's models, touching only rows that need it.
(PostgreSQL stores no lone surrogates in UTF-8, so the pattern leaves them out.)"""

from django.db import migrations, models

PATTERN = r"[\x01-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"
APPS = ("depository", "meetings", "members")


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                if not model._meta.managed or model._meta.proxy:
                    continue
                for field in model._meta.concrete_fields:
                    if not isinstance(field, (models.CharField, models.TextField)) or field.generated:
                        continue
                    table, column = quote(model._meta.db_table), quote(field.column)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = normalize(regexp_replace({column}, %s, '', 'g'), NFC) "  # noqa: S608
                        f"WHERE {column} ~ %s OR {column} IS NOT NFC NORMALIZED",
                        [PATTERN, PATTERN],
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0015_remove_entry_authors"),
        ("meetings", "0002_disclosure_and_other_spellings"),
        ("members", "0002_invitations_versions_events_questions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
