"""Migration 0014: the author strings become creators; a published paper's authors are linked people."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("depository", "0013_creators_and_identifiers"), ("members", "0002_invitations_versions_events_questions")]


@pytest.mark.django_db(transaction=True)
def test_author_strings_become_creators():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Entry, Person = old.get_model("depository", "Entry"), old.get_model("meetings", "Person")
    InputPaper = old.get_model("members", "InputPaper")
    Person.objects.create(name="Jaume Guardans", slug="jaume-guardans", other_spellings="J. Guardans")
    shy = Person.objects.create(name="Mariam Haddad", slug="mariam", disclosure="members")
    rory = Person.objects.create(name="Rory Robertshaw", slug="rory")
    Entry.objects.create(
        kind="publication",
        slug="strings",
        title="Strings",
        authors="Connolly, David; Jaume Guardans; UN-Habitat; Geneva Peacebuilding Platform",
        external_url="https://doi.org/10.18356/ABC",
    )
    paper_entry = Entry.objects.create(
        kind="input_paper", slug="paper", title="Paper", authors="Rory Robertshaw, Mariam Haddad"
    )
    paper = InputPaper.objects.create(title="Paper", slug="paper", entry=paper_entry)
    paper.authors.add(rory)
    paper.authors.add(shy)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from depository.models import Entry as CurrentEntry

    strings = CurrentEntry.objects.get(slug="strings")
    assert strings.doi == "10.18356/abc"
    assert [
        (c.kind, c.family, c.given, c.name, c.person.slug if c.person else None) for c in strings.creators_in_order()
    ] == [
        ("person", "Connolly", "David", "", None),
        ("person", "Guardans", "Jaume", "", "jaume-guardans"),
        ("organization", "", "", "UN-Habitat", None),
        ("organization", "", "", "Geneva Peacebuilding Platform", None),
    ]
    linked = CurrentEntry.objects.get(slug="paper").creators_in_order()
    assert [(c.family, c.given, c.person.slug) for c in linked] == [
        ("Robertshaw", "Rory", "rory"),
        ("Haddad", "Mariam", "mariam"),
    ]
