"""Merge two records of the same person (or organization) into one, moving every reference to the kept one.

References are found generically through the model's `_meta.related_objects` (foreign keys, one-to-ones
and many-to-many tables pointing at it) and its own many-to-many fields, so models of other apps
(members' input papers and member profiles) move too without this app importing them. When a move
would break a unique constraint (the same person twice at one meeting), the kept record's row stays,
takes over whatever the removed row knew that it did not (blank fields), and the removed row goes.
"""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Model, OuterRef
from django.utils.translation import gettext as _

from meetings.services.participant_import import normalize, spellings
from people.models import Disclosure, Organization, Person

STRICTNESS = [Disclosure.PUBLIC, Disclosure.MEMBERS, Disclosure.ORGANIZERS]


@dataclass
class MergeReport:
    moved: dict = field(default_factory=dict)  # model name -> rows now pointing at the kept record
    combined: dict = field(default_factory=dict)  # model name -> duplicate rows folded into the kept one's

    def add(self, bucket: dict[str, int], model: type[Model], number: int) -> None:
        if number:
            name = str(model._meta.verbose_name_plural)
            bucket[name] = bucket.get(name, 0) + number


def is_blank(value: object) -> bool:
    return value is None or value == ""


def fill_blanks(target: Model, source: Model, *, skip: Collection[str] = ()) -> bool:
    """Copy into `target` the values it lacks and `source` has. Returns True when anything changed."""
    changed = False
    for model_field in target._meta.concrete_fields:
        if model_field.primary_key or model_field.name in skip:
            continue
        if is_blank(getattr(target, model_field.attname)) and not is_blank(getattr(source, model_field.attname)):
            setattr(target, model_field.attname, getattr(source, model_field.attname))
            changed = True
    return changed


def unique_field_sets(model: type[Model], field_name: str) -> list[set[str]]:
    """The sets of fields that must be unique together and include `field_name`."""
    sets = [set(constraint.fields) for constraint in model._meta.total_unique_constraints]
    sets += [set(names) for names in model._meta.unique_together]
    if model._meta.get_field(field_name).unique:
        sets.append({field_name})
    return [names for names in sets if field_name in names]


def move_references(model: type[Model], field_name: str, *, keep: Model, remove: Model, report: MergeReport) -> None:
    """Point every `model` row whose `field_name` is `remove` at `keep`, folding duplicates."""
    manager = model._base_manager
    for names in unique_field_sets(model, field_name):
        others = sorted(names - {field_name})
        if not others:  # a one-to-one: two rows cannot both point at the kept record
            if manager.filter(**{field_name: remove}).exists() and manager.filter(**{field_name: keep}).exists():
                raise ValidationError(
                    _("Both records have a %(thing)s; unlink one of them first.") % {"thing": model._meta.verbose_name},
                    code="one_to_one",
                )
            continue
        twin = manager.filter(**{field_name: keep}, **{name: OuterRef(name) for name in others})
        for duplicate in manager.filter(**{field_name: remove}).filter(Exists(twin)):
            kept = manager.get(**{field_name: keep}, **{name: getattr(duplicate, name) for name in others})
            if fill_blanks(kept, duplicate, skip={field_name, *others}):
                kept.save()
            duplicate.delete()
            report.add(report.combined, model, 1)
    report.add(report.moved, model, manager.filter(**{field_name: remove}).update(**{field_name: keep}))


def references(instance: Model) -> list[tuple[type[Model], str]]:
    """(model, field name) for every table that can point at `instance`."""
    found = []
    for relation in instance._meta.related_objects:
        if relation.many_to_many:
            through = relation.through
            if through._meta.auto_created:  # a plain many-to-many table: move its rows
                found.append((through, relation.field.m2m_reverse_field_name()))
            # A many-to-many through a model of its own (session contributions) moves with that model's
            # foreign key, which is a relation of its own in this list.
        else:
            found.append((relation.related_model, relation.field.name))
    for many in instance._meta.many_to_many:
        if many.remote_field.through._meta.auto_created:
            found.append((many.remote_field.through, many.m2m_field_name()))
    return found


def reference_counts(instance: Model) -> dict[str, int]:
    """How many rows of each kind point at `instance` (shown on the merge confirmation page)."""
    counts = {}
    for model, field_name in references(instance):
        number = model._base_manager.filter(**{field_name: instance}).count()
        if number:
            name = str(model._meta.verbose_name_plural)
            counts[name] = counts.get(name, 0) + number
    return counts


def merged_spellings(keep: Person | Organization, remove: Person | Organization) -> str:
    known = {normalize(keep.name)}
    result = []
    for spelling in [*spellings(keep.other_spellings), remove.name, *spellings(remove.other_spellings)]:
        if normalize(spelling) not in known:
            known.add(normalize(spelling))
            result.append(spelling)
    return "; ".join(result)


def merge(*, keep: Person | Organization, remove: Person | Organization) -> MergeReport:
    if type(keep) is not type(remove) or keep.pk == remove.pk:
        raise ValidationError(_("Choose two different records of the same kind."), code="same")
    model = type(keep)
    with transaction.atomic():
        keep = model.objects.select_for_update().get(pk=keep.pk)
        remove = model.objects.select_for_update().get(pk=remove.pk)
        report = MergeReport()
        for related_model, field_name in references(remove):
            move_references(related_model, field_name, keep=keep, remove=remove, report=report)
        keep.other_spellings = merged_spellings(keep, remove)
        fill_blanks(keep, remove, skip={"name", "slug"})
        if isinstance(keep, Person):
            keep.disclosure = max(keep.disclosure, remove.disclosure, key=STRICTNESS.index)
        # Nothing points at the removed record any more, so deleting it cascades to nothing.
        if any(m._base_manager.filter(**{f: remove}).exists() for m, f in references(remove)):
            raise ValidationError(_("A reference could not be moved; nothing was merged."), code="left_over")
        remove.delete()
        keep.full_clean()
        keep.save()
        return report


def merge_people(*, keep: Person, remove: Person) -> MergeReport:
    if not (isinstance(keep, Person) and isinstance(remove, Person)):
        raise ValidationError(_("Choose two people."), code="kind")
    return merge(keep=keep, remove=remove)


def merge_organizations(*, keep: Organization, remove: Organization) -> MergeReport:
    if not (isinstance(keep, Organization) and isinstance(remove, Organization)):
        raise ValidationError(_("Choose two organizations."), code="kind")
    return merge(keep=keep, remove=remove)
