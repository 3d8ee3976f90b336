"""Entries as spreadsheet rows (CSV, XLSX) for the admin's bulk import and export (django-import-export).

One row per entry. A row updates an existing entry only when the file names it, by its `slug` or
its `id` (an optional column); a row with an empty slug (or a file without a slug column) always
makes a new entry, with a unique slug made from its title (depository.services.unique_entry_slugs),
so two rows titled alike never merge into, or overwrite, one entry. A column the import does not
know, or a missing `title` column, stops the import with the list of expected columns; two rows
naming the same slug or id are errors of their rows. Facets are comma-separated slugs, tags
comma-separated names. Kind, status and language take the stored
value or the English label ('promising_practice' or 'Promising practice'). Unknown values are
errors of their row, reported by the dry run before anything is written.
"""

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader

from core.spreadsheets import safe_cell, unsafe_cell
from core.text import clean_text
from depository import services
from depository.creators import MAX_CREATORS_PER_ENTRY, creators_from_text, known_people, too_many_creators_message
from depository.models import CityType, Creator, Entry, EntryKind, EntryStatus, Language, Theme, ViolenceType
from depository.services import unique_entry_slugs
from places.models import City


class ChoiceWidget(widgets.CharWidget):
    """A TextChoices value, given as its value or its English label, case-insensitively."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        for choice in self.choices:
            if text.casefold() in {choice.value.casefold(), str(choice.label).casefold()}:
                return choice.value
        allowed = ", ".join(choice.value for choice in self.choices)
        raise ValueError(_("'%(value)s' is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        year = super().clean(value, row, **kwargs)
        if year is not None and not 1900 <= year <= 2100:
            raise ValueError(_("The year must be between 1900 and 2100."))
        return year


class SlugListWidget(widgets.ManyToManyWidget):
    """Comma-separated slugs of existing terms; an unknown slug is an error, never silently dropped."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=",", field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = sorted({part.strip() for part in str(value or "").split(",") if part.strip()})
        if not slugs:
            return []
        terms = self.terms()
        found = [terms[slug] for slug in slugs if slug in terms]
        unknown = sorted(set(slugs) - set(terms))
        if unknown:
            raise ValueError(
                _("Unknown %(vocabulary)s: %(slugs)s.")
                % {"vocabulary": self.model._meta.verbose_name, "slugs": ", ".join(unknown)}
            )
        return found

    def terms(self):
        """{slug: term} of the whole vocabulary, read once per import (vocabularies are small);
        EntryResource.before_import clears it."""
        if getattr(self, "_terms", None) is None:
            self._terms = {term.slug: term for term in self.model.objects.all()}
        return self._terms

    def render(self, value, obj=None, **kwargs):
        # Sorted in Python from the prefetched rows: no query per entry.
        return ",".join(sorted(term.slug for term in value.all())) if value is not None else ""


class TagsWidget(widgets.ManyToManyWidget):
    """Comma-separated tag names (django-taggit)."""

    def __init__(self, **kwargs):
        from taggit.models import Tag

        super().__init__(Tag, separator=",", field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        return sorted({part.strip() for part in str(value or "").split(",") if part.strip()}, key=str.casefold)

    def render(self, value, obj=None, **kwargs):
        return ", ".join(sorted((tag.name for tag in value.all()), key=str.casefold)) if value is not None else ""


def text_field(name):
    return fields.Field(attribute=name, column_name=name, widget=widgets.CharWidget(allow_blank=True))


class EntryResource(resources.ModelResource):
    title = text_field("title")
    slug = text_field("slug")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(EntryKind))
    summary = text_field("summary")
    # The creators as 'Family, Given; Organization' (depository.creators.parse_creators reads it back).
    authors = fields.Field(column_name="authors", dehydrate_method="dehydrate_authors")
    publisher = text_field("publisher")
    year = fields.Field(attribute="year", column_name="year", widget=YearWidget())
    language = fields.Field(attribute="language", column_name="language", widget=ChoiceWidget(Language))
    external_url = text_field("external_url")
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(EntryStatus))
    city_types = fields.Field(attribute="city_types", column_name="city_types", widget=SlugListWidget(CityType))
    violence_types = fields.Field(
        attribute="violence_types", column_name="violence_types", widget=SlugListWidget(ViolenceType)
    )
    themes = fields.Field(attribute="themes", column_name="themes", widget=SlugListWidget(Theme))
    cities = fields.Field(attribute="cities", column_name="cities", widget=SlugListWidget(City))
    tags = fields.Field(attribute="tags", column_name="tags", widget=TagsWidget())

    class Meta:
        model = Entry
        fields = [
            "title",
            "slug",
            "kind",
            "summary",
            "authors",
            "publisher",
            "year",
            "language",
            "external_url",
            "status",
            "city_types",
            "violence_types",
            "themes",
            "cities",
            "tags",
            # Optional translations of the title and summary (blank: none); ModelResource makes them text columns.
            *Entry.translation_field_names(),
        ]
        export_order = fields
        import_id_fields = ["slug"]
        # Writes in bulk (issue 12): entries by bulk_create / bulk_update per batch, their facets and
        # tags as through-rows in bulk (write_many_to_many); the existing entries the file names are
        # read in one query. The search index follows by its statement triggers (depository.search).
        use_bulk = True
        batch_size = 500
        instance_loader_class = CachedInstanceLoader
        clean_model_instances = True  # full_clean(): choices, year range, slug format, required fields
        use_transactions = True  # the whole file in one transaction; the dry run is rolled back
        skip_unchanged = False
        skip_html_diff = True
        store_instance = True  # the preview names each row's entry and slug (admin/depository/entry/import.html)

    # Import ----------------------------------------------------------------------------------

    @classmethod
    def expected_columns(cls):
        """The columns an import file may have, in export order, then the optional `id`."""
        return [*cls._meta.fields, "id"]

    @classmethod
    def column_problems(cls, headers):
        """A translated sentence saying what is wrong with a file's header row, or "" if nothing."""
        headers = [str(header or "").strip() for header in headers]
        unknown = [header for header in headers if header not in cls.expected_columns()]
        missing = [] if "title" in headers else ["title"]
        if not unknown and not missing:
            return ""
        problems = []
        if unknown:
            problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown) or '""'})
        if missing:
            problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        problems.append(
            _("The first row must name the columns; expected: %(columns)s (only title is required).")
            % {"columns": ", ".join(cls.expected_columns())}
        )
        return " ".join(problems)

    def before_import(self, dataset, **kwargs):
        """Check the header row, clean every cell's text, then give every row without a slug a new
        unique one (one query)."""
        problem = self.column_problems(dataset.headers or [])
        if problem:
            raise ValueError(problem)
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugListWidget):
                field.widget._terms = None
        self._people = None
        if "slug" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="slug")
        slug_at, title_at = dataset.headers.index("slug"), dataset.headers.index("title")
        id_at = dataset.headers.index("id") if "id" in dataset.headers else None
        # Text hygiene where text comes in (issue 14): before any cell reaches a query (the instance
        # loader looks the slugs up), characters XML 1.0 forbids (NUL among them) go, and NFC.
        rows = [[clean_text(cell) for cell in row] for row in dataset]
        blank = [number for number, row in enumerate(rows) if not str(row[slug_at] or "").strip()]
        titles = [unsafe_cell(str(rows[number][title_at] or "").strip()) for number in blank]
        named = {str(row[slug_at]).strip() for row in rows if str(row[slug_at] or "").strip()}
        for number, slug in zip(blank, unique_entry_slugs(titles, existing=named), strict=True):
            if id_at is None or not str(rows[number][id_at] or "").strip():
                rows[number][slug_at] = slug
        # The same slug or id named by two rows: neither is imported (which row would win?).
        self.named_twice = {}
        for column, at in (("slug", slug_at), ("id", id_at)):
            if at is None:
                continue
            seen = {}
            for number, row in enumerate(rows, start=1):
                value = str(row[at] or "").strip()
                if value:
                    seen.setdefault(value, []).append(number)
            self.named_twice[column] = {value: lines for value, lines in seen.items() if len(lines) > 1}
        for number, row in enumerate(rows):
            dataset[number] = row

    def get_instance(self, instance_loader, row):
        """The entry the row names by `id`, else by `slug`; None (a new entry) when it names none.
        An id that names no entry is an error of the row, never a new entry."""
        entry_id = str(row.get("id") or "").strip()
        if entry_id:
            if not entry_id.isdigit():
                raise ValidationError({"id": _("The id must be a number.")})
            entry = Entry.objects.filter(pk=int(entry_id)).first()
            if entry is None:
                raise ValidationError({"id": _("No entry has the id %(id)s.") % {"id": entry_id}})
            return entry
        return super().get_instance(instance_loader, row)

    def before_import_row(self, row, **kwargs):
        for column, value in list(row.items()):
            row[column] = unsafe_cell(value.strip() if isinstance(value, str) else value)
        if row.get("id") and not row.get("slug"):
            row.pop("slug", None)  # named by id: the entry keeps its slug
        for column, repeated in getattr(self, "named_twice", {}).items():
            value = str(row.get(column) or "").strip()
            if value in repeated:
                raise ValidationError(
                    {
                        column: _("Rows %(rows)s all name %(value)s: give each row its own.")
                        % {"rows": ", ".join(map(str, repeated[value])), "value": value}
                    }
                )
        # An empty kind, status or language cell keeps the entry's value (a new entry: the model's default).
        for column in ("kind", "status", "language"):
            if column in row and not row[column]:
                del row[column]

    def import_instance(self, instance, row, **kwargs):
        """Check the many-to-many columns with the others, so an unknown slug fails its row before
        the entry is saved (django-import-export only reads them after saving)."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            self.creators_from_row(instance, row)
        except ValidationError as error:
            errors["authors"] = ValidationError(error.messages, code="invalid")
        if instance.status == EntryStatus.PUBLISHED and instance.published_at is None:
            instance.published_at = timezone.now()  # before full_clean(): a published entry has a date
        instance.many_to_many_from_row = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    instance.many_to_many_from_row[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean() without its per-row queries (the slug's uniqueness, one SELECT per check
        constraint: 7 queries a row): the slugs are unique by before_import's rule, and the
        database enforces the constraints on the batch's INSERT/UPDATE, in the dry run too."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=errors.keys(), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_bulk_update_fields(self):
        """Every stored column of an entry but its id (django-import-export would name the
        many-to-many columns too, which bulk_update refuses)."""
        return [field.name for field in Entry._meta.concrete_fields if not field.primary_key]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        batch = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self.write_many_to_many(batch, created=True)
        self.write_creators([entry for entry in batch if entry.pk is not None], created=True)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        batch = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self.write_many_to_many(batch, created=False)
        self.write_creators(batch, created=False)

    def write_many_to_many(self, entries, *, created):
        """The facets and tags of a batch of saved entries, for the columns their rows have: the old
        through-rows of updated entries deleted in one statement per column, the new ones inserted in
        one; tags through services.tag_entries, as the reference import writes them."""
        entries = [entry for entry in entries if entry.pk is not None]
        if not entries:
            return
        for attribute in ("city_types", "violence_types", "themes", "cities", "tags"):
            chosen = {entry.pk: entry.many_to_many_from_row[attribute] for entry in entries
                      if attribute in getattr(entry, "many_to_many_from_row", {})}  # fmt: skip
            if not chosen:
                continue
            if attribute == "tags":
                services.tag_entries(chosen, replace=not created)
                continue
            field = Entry._meta.get_field(attribute)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            if not created:
                through.objects.filter(**{f"{source}__in": list(chosen)}).delete()
            through.objects.bulk_create(
                through(**{source: pk, target: term.pk}) for pk, terms in chosen.items() for term in terms
            )

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance.curated_by = user

    def creators_from_row(self, instance, row):
        """The row's `authors` cell as unsaved, validated Creator rows, kept on the entry for
        write_creators (the entry has no primary key until its batch is written); the people the
        creators link to are read once per import."""
        instance.creators_from_row = None
        if "authors" not in row:
            return
        if getattr(self, "_people", None) is None:
            self._people = known_people()
        creators = creators_from_text(instance, row["authors"], self._people)
        if len(creators) > MAX_CREATORS_PER_ENTRY:  # the row's error, before validating each (issue 22)
            raise ValidationError(too_many_creators_message(len(creators)))
        for creator in creators:
            # No per-row queries: the entry is not saved yet and the person was just read.
            creator.full_clean(exclude=["entry", "person"], validate_unique=False, validate_constraints=False)
        instance.creators_from_row = creators

    def write_creators(self, entries, *, created):
        """A changed `authors` cell replaces the creators; an unchanged one keeps their ORCID iDs and
        links. For a batch of saved entries: their creators read in one query (updates only), the
        replaced ones deleted in one statement and the new ones inserted in one."""
        entries = [entry for entry in entries if getattr(entry, "creators_from_row", None) is not None]
        if not entries:
            return
        if not created:
            prefetch_related_objects(entries, "creators")
            entries = [
                entry
                for entry in entries
                if "; ".join(creator.inverted_name for creator in entry.creators_from_row)
                != self.dehydrate_authors(entry)
            ]
            Creator.objects.filter(entry__in=entries).delete()
        creators = []
        for entry in entries:
            for creator in entry.creators_from_row:
                creator.entry = entry  # now with its primary key
                creators.append(creator)
        Creator.objects.bulk_create(creators)

    # Export ----------------------------------------------------------------------------------

    def dehydrate_authors(self, entry):
        return "; ".join(creator.inverted_name for creator in entry.creators_in_order())

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("city_types", "violence_types", "themes", "cities", "tags", "creators")

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))
