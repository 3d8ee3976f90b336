"""Creators from the author strings (docs/citations.md, "Creators"), DOIs from doi.org links.

The author strings were 'Name; Name' (a published input paper's were its authors' names joined by
commas): an entry made from a member's paper takes the paper's authors as creators linked to their
people, so disclosure applies; any other entry's string is split by `depository.creators.split_name`
(a pure function of the text), and a person whose name or other spelling matches is linked.
"""

from django.db import migrations

from depository.creators import parse_creators, person_index
from depository.identifiers import doi_from_url


def forwards(apps, schema_editor):
    Entry = apps.get_model("depository", "Entry")
    Creator = apps.get_model("depository", "Creator")
    Person = apps.get_model("meetings", "Person")
    InputPaper = apps.get_model("members", "InputPaper")
    people = person_index(Person.objects.all())
    papers = {paper.entry_id: paper for paper in InputPaper.objects.filter(entry__isnull=False)}
    creators = []
    for entry in Entry.objects.exclude(authors="").exclude(pk__in=list(papers)).only("pk", "authors"):
        for position, parts in enumerate(parse_creators(entry.authors)):
            person = None
            if parts["kind"] == "person":
                person = people.get(f"{parts['given']} {parts['family']}".strip().lower())
            creators.append(Creator(entry_id=entry.pk, position=position, role="author", person=person, **parts))
    through = InputPaper.authors.through
    positions = {}
    for link in through.objects.filter(inputpaper__in=papers.values()).select_related("person").order_by("pk"):
        entry_id = link.inputpaper.entry_id
        position = positions[entry_id] = positions.get(entry_id, -1) + 1
        given, _, family = link.person.name.strip().rpartition(" ")
        creators.append(
            Creator(entry_id=entry_id, position=position, role="author", person=link.person, kind="person",
                    family=family, given=given)
        )
    Creator.objects.bulk_create(creators)
    for entry in Entry.objects.filter(doi="", external_url__iregex=r"^https?://(dx\.)?doi\.org/"):
        entry.doi = doi_from_url(entry.external_url)
        if entry.doi:
            entry.save(update_fields=["doi"])


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0013_creators_and_identifiers"),
        ("meetings", "0002_disclosure_and_other_spellings"),
        ("members", "0002_invitations_versions_events_questions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
