"""The four evidence-gathering steps of the inception report, on the milestones the TWG's records hold
(slugs of portal/records/twg_records.yaml). Only where an organizer has not set a step already."""

from django.db import migrations

STEPS = {
    "clarify-meaning-of-confluence": 1,
    "annotated-literature-review": 2,
    "perspectives-on-scenarios": 3,
    "online-depository": 4,
}


def set_steps(apps, schema_editor):
    Milestone = apps.get_model("meetings", "Milestone")
    for slug, step in STEPS.items():
        Milestone.objects.filter(slug=slug, evidence_step__isnull=True).update(evidence_step=step)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0009_workplan_reviews_and_registrations")]

    operations = [migrations.RunPython(set_steps, migrations.RunPython.noop)]
