"""An entry's updated_at follows everything it shows (issue 22, finding 7): statement triggers from
depository/sql/freshness_v1.sql. Meetings add theirs in meetings 0006."""

from pathlib import Path

from django.db import migrations

SQL_FILE = Path(__file__).resolve().parent.parent / "sql" / "freshness_v1.sql"

DROP = """
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tgname, tgrelid::regclass AS tbl FROM pg_trigger WHERE tgname LIKE 'touch\\_%' LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.tbl);
    END LOOP;
END $$;
DROP FUNCTION depository_touch_watch(text, text, text, text[]);
DROP FUNCTION depository_touch();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0022_city_leaves_the_depository"),
        ("people", "0001_people_from_meetings"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunSQL(SQL_FILE.read_text(), DROP)]
