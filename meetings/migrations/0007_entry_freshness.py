"""An entry's updated_at follows the meetings it shows (issue 22, finding 7): the API's entry lists the
meetings it reports on or relates to, with their name, dates and city. The depository's mechanism
(depository/sql/freshness_v1.sql, migration depository 0023) with the meetings' tables."""

from django.db import migrations

# The entries a meeting shows up on: the report it points at, the entries related to it.
CREATE = """
SELECT depository_touch_watch('meeting_insert', 'meetings_meeting', 'INSERT',
    'SELECT report_id FROM new_rows UNION SELECT entry_id FROM meetings_meeting_related_entries
     WHERE meeting_id IN (SELECT id FROM new_rows)');
SELECT depository_touch_watch('meeting_update', 'meetings_meeting', 'UPDATE',
    'SELECT report_id FROM changed_rows UNION SELECT entry_id FROM meetings_meeting_related_entries
     WHERE meeting_id IN (SELECT id FROM changed_rows)',
    'SELECT o.report_id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n IS DISTINCT FROM o');
SELECT depository_touch_watch('meeting_delete', 'meetings_meeting', 'DELETE', 'SELECT report_id FROM old_rows');
SELECT depository_touch_watch('meeting_related_entries_insert', 'meetings_meeting_related_entries', 'INSERT',
    'SELECT entry_id FROM new_rows');
SELECT depository_touch_watch('meeting_related_entries_delete', 'meetings_meeting_related_entries', 'DELETE',
    'SELECT entry_id FROM old_rows');
SELECT depository_touch_watch('meeting_city_update', 'depository_city', 'UPDATE',
    'SELECT report_id FROM meetings_meeting WHERE city_id IN (SELECT id FROM changed_rows) UNION
     SELECT r.entry_id FROM meetings_meeting_related_entries r JOIN meetings_meeting m ON m.id = r.meeting_id
     WHERE m.city_id IN (SELECT id FROM changed_rows)');
"""

DROP = """
DROP TRIGGER touch_meeting_insert ON meetings_meeting;
DROP TRIGGER touch_meeting_update ON meetings_meeting;
DROP TRIGGER touch_meeting_delete ON meetings_meeting;
DROP TRIGGER touch_meeting_related_entries_insert ON meetings_meeting_related_entries;
DROP TRIGGER touch_meeting_related_entries_delete ON meetings_meeting_related_entries;
DROP TRIGGER touch_meeting_city_update ON depository_city;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_event_timing_help_texts"),
        ("depository", "0023_entry_freshness"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
