"""Fill a benchmark database with realistic synthetic published entries (never used by `make run`).

Facets are drawn with skewed (Zipf-like) frequencies, as real catalogues have them: a few themes and
violence types carry most entries. Summaries and bodies are of realistic length in the entry's
language, and a share of entries carries extracted attachment text. `--from-jsonl FILE` loads a given
corpus instead (../shared/anchor_bench/gen_corpus.py writes one), one JSON object a line with the keys
id, title, summary, body, language, year, published, kind, city_type, violence_type, theme, tags (the
plurals city_types, violence_types, themes are read too; unknown slugs become new terms). Any other
key is an error: a facet under a misspelled key would be dropped silently.

Rows go in with bulk inserts and COPY; the search index (depository.search) follows at the commit, in
one reindex of every entry written.
"""

import io
import itertools
import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from depository.models import (
    Attachment,
    CityType,
    Creator,
    Entry,
    EntryKind,
    EntrySearchDocument,
    EntryStatus,
    FacetPosting,
    Theme,
    ViolenceType,
)


def words(text):
    return text.split()


WORDS = {
    "en": words(
        "urban safety peacebuilding city violence prevention community police youth gang conflict mediation "
        "municipal mayor local governance participation trust dialogue reconciliation victims displacement "
        "infrastructure crime observatory data evidence programme strategy women gender security neighbourhood "
        "public space transport housing employment school health justice reform integrated approach network "
        "practice lesson failure evaluation monitoring funding partnership resilience recovery social cohesion"
    ),
    "es": words(
        "seguridad urbana consolidación paz ciudad violencia prevención comunidad policía jóvenes pandillas "
        "conflicto mediación municipio alcalde gobierno local participación confianza diálogo reconciliación "
        "víctimas desplazamiento infraestructura delito observatorio datos evidencia programa estrategia mujeres "
        "género barrio espacio público transporte vivienda empleo escuela salud justicia enfoque integrado"
    ),
    "fr": words(
        "sécurité urbaine consolidation paix ville violence prévention communauté police jeunes bandes conflit "
        "médiation municipalité maire gouvernance locale participation confiance dialogue réconciliation "
        "victimes déplacement infrastructure criminalité observatoire données preuves programme stratégie "
        "femmes genre quartier espace public transport logement emploi école santé justice approche intégrée"
    ),
    "ar": words(
        "السلامة الحضرية بناء السلام المدينة العنف الوقاية المجتمع الشرطة الشباب العصابات النزاع الوساطة "
        "البلدية العمدة الحكم المحلي المشاركة الثقة الحوار المصالحة الضحايا النزوح البنية التحتية الجريمة "
        "مرصد البيانات الأدلة برنامج استراتيجية النساء النوع الاجتماعي الحي الفضاء العام النقل السكن"
    ),
}
LANGUAGE_WEIGHTS = {"en": 0.6, "es": 0.2, "fr": 0.12, "ar": 0.08}
KIND_WEIGHTS = {
    EntryKind.PUBLICATION: 0.3,
    EntryKind.PROMISING_PRACTICE: 0.2,
    EntryKind.TOOL: 0.15,
    EntryKind.CASE_STUDY: 0.12,
    EntryKind.MECHANISM: 0.08,
    EntryKind.GUIDANCE: 0.06,
    EntryKind.LESSON_FROM_FAILURE: 0.04,
    EntryKind.INPUT_PAPER: 0.03,
    EntryKind.MEETING_REPORT: 0.02,
}
TAGS = [f"tag-{number}" for number in range(200)]
BATCH = 5000


def zipf_weights(count, exponent=1.1):
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def cumulative(weights):
    return list(itertools.accumulate(weights))


# Word frequencies within a text follow a flatter Zipf curve than facet frequencies.
WORD_CUM_WEIGHTS = {language: cumulative(zipf_weights(len(vocabulary), 0.8)) for language, vocabulary in WORDS.items()}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1000)
        parser.add_argument("--from-jsonl", dest="jsonl", help="Load this corpus instead of generating one.")
        parser.add_argument("--reset", action="store_true", help="Delete all entries first.")
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="Run even when the database name does not contain 'bench' (it writes thousands of rows).",
        )

    def handle(self, *args, **options):
        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name and not options["allow_any_database"]:
            raise CommandError(f"Refusing to fill '{name}': use a benchmark database (its name containing 'bench').")
        started = time.perf_counter()
        self.random = random.Random(options["seed"])
        with transaction.atomic():
            if options["reset"]:
                self.reset()
            count = self.load_jsonl(options["jsonl"]) if options["jsonl"] else self.generate(options["entries"])
        self.stdout.write(f"rows written and indexed in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            # The reset's deleted rows: reclaimed, so that the search reads only live rows' pages; and
            # the visibility map set, as autovacuum keeps it in a running portal, so that a page of
            # results walks the sort's index without reading the rows it passes over, and a result
            # card's theme ids come from the index of the entries' themes alone (EntryQuerySet.for_cards).
            for model in (Entry, EntrySearchDocument, FacetPosting, Entry.themes.through):
                cursor.execute(f"VACUUM {model._meta.db_table}")
            cursor.execute("ANALYZE")
        self.stdout.write(f"{count} entries in {time.perf_counter() - started:.1f} s")

    def reset(self):
        """Delete every entry in SQL: the ORM's cascade (and its per-row signals) is far too slow here."""
        content_type = ContentType.objects.get_for_model(Entry)
        related_tables = [
            field.remote_field.through._meta.db_table
            for field in Entry._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE meetings_meeting SET report_id = NULL")
            cursor.execute("UPDATE members_inputpaper SET entry_id = NULL")
            cursor.execute("DELETE FROM meetings_meeting_related_entries")
            cursor.execute(f"DELETE FROM {TaggedItem._meta.db_table} WHERE content_type_id = %s", [content_type.id])  # noqa: S608
            tables = [
                *related_tables,
                Attachment._meta.db_table,
                Creator._meta.db_table,
                EntrySearchDocument._meta.db_table,
            ]
            for table in [*tables, FacetPosting._meta.db_table]:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(f"DELETE FROM {Entry._meta.db_table}")  # noqa: S608

    # -- generation ------------------------------------------------------------------------------
    def text(self, language, words):
        return " ".join(self.random.choices(WORDS[language], cum_weights=WORD_CUM_WEIGHTS[language], k=words))

    def sentences(self, language, count, words=14):
        return ". ".join(self.text(language, words).capitalize() for _ in range(count)) + "."

    def pick(self, terms, cum_weights, low, high):
        how_many = self.random.randint(low, high)
        return set(self.random.choices(terms, cum_weights=cum_weights, k=how_many)) if how_many else set()

    def generate(self, count):
        themes = list(Theme.objects.values_list("id", flat=True))
        violence = list(ViolenceType.objects.values_list("id", flat=True))
        city_types = list(CityType.objects.values_list("id", flat=True))
        if not (themes and violence and city_types):
            raise CommandError("Load the vocabularies first: python manage.py load_twg_records")
        self.random.shuffle(themes)
        self.random.shuffle(violence)
        theme_weights, violence_weights = cumulative(zipf_weights(len(themes))), cumulative(zipf_weights(len(violence)))
        city_type_weights, tag_weights = cumulative(zipf_weights(len(city_types))), cumulative(zipf_weights(len(TAGS)))
        now = datetime.now(UTC)
        languages, language_weights = zip(*LANGUAGE_WEIGHTS.items(), strict=True)
        kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
        rows = []
        for number in range(count):
            language = self.random.choices(languages, weights=language_weights)[0]
            title = self.text(language, self.random.randint(4, 10)).capitalize()
            published = now - timedelta(days=self.random.randint(0, 3650), seconds=number)
            rows.append(
                {
                    "entry": Entry(
                        kind=self.random.choices(kinds, weights=kind_weights)[0],
                        title=title,
                        slug=f"{slugify(title)[:150]}-{number}",
                        summary=self.sentences(language, self.random.randint(2, 4)),
                        body=self.sentences(language, self.random.randint(8, 30)),
                        annotation=self.sentences(language, 2) if self.random.random() < 0.2 else "",
                        year=published.year,
                        language=language,
                        status=EntryStatus.PUBLISHED,
                        published_at=published,
                    ),
                    "themes": self.pick(themes, theme_weights, 1, 3),
                    "violence_types": self.pick(violence, violence_weights, 0, 2),
                    "city_types": self.pick(city_types, city_type_weights, 0, 2),
                    "tags": self.pick(TAGS, tag_weights, 0, 4),
                    "attachment_text": self.sentences(language, 60) if self.random.random() < 0.15 else None,
                }
            )
        return self.write(rows)

    # The anchor corpus's kinds (anchor_bench/gen_corpus.py KINDS) as the portal's EntryKind: an entry
    # whose kind is not a choice cannot be saved in the admin (issue 22, finding 9). The portal's own
    # values are taken as they are; any other kind is refused.
    ANCHOR_KINDS = {
        "report": EntryKind.PUBLICATION,
        "journal-article": EntryKind.PUBLICATION,
        "book-chapter": EntryKind.PUBLICATION,
        "thesis": EntryKind.PUBLICATION,
        "dataset": EntryKind.PUBLICATION,
        "evaluation": EntryKind.PUBLICATION,
        "policy-brief": EntryKind.GUIDANCE,
        "toolkit": EntryKind.TOOL,
        "case-study": EntryKind.CASE_STUDY,
    }

    def entry_kind(self, value):
        if not value:
            return EntryKind.PUBLICATION
        if value in EntryKind.values:
            return value
        if value in self.ANCHOR_KINDS:
            return self.ANCHOR_KINDS[value]
        raise ValueError(f"unknown kind {value!r} (expected one of {', '.join(sorted(self.ANCHOR_KINDS))})")

    # The corpus's keys: the facets under their singular (anchor_bench) or plural names.
    JSONL_FACETS = {"city_type": "city_types", "violence_type": "violence_types", "theme": "themes"}
    JSONL_KEYS = {"id", "title", "summary", "body", "language", "year", "published", "kind", "tags"}

    def load_jsonl(self, path):
        vocabularies = {"city_types": CityType, "violence_types": ViolenceType, "themes": Theme}
        known = self.JSONL_KEYS | set(self.JSONL_FACETS) | set(self.JSONL_FACETS.values())
        ids = {key: dict(model.objects.values_list("slug", "id")) for key, model in vocabularies.items()}
        rows = []
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    item = json.loads(line)
                    unknown = sorted(set(item) - known)
                    if unknown:
                        raise ValueError(f"unknown keys {', '.join(unknown)} (expected {', '.join(sorted(known))})")
                    for singular, plural in self.JSONL_FACETS.items():
                        if singular in item:
                            item[plural] = item.pop(singular)
                    facets = {}
                    for key, model in vocabularies.items():
                        facets[key] = set()
                        for slug in item.get(key) or []:
                            if slug not in ids[key]:
                                ids[key][slug] = model.objects.create(name=slug.replace("-", " ").title(), slug=slug).id
                            facets[key].add(ids[key][slug])
                    published = datetime.fromisoformat(item["published"])
                    if published.tzinfo is None:
                        published = published.replace(tzinfo=UTC)
                    rows.append(
                        {
                            "entry": Entry(
                                kind=self.entry_kind(item.get("kind")),
                                title=item["title"][:300],
                                slug=f"{slugify(item['title'])[:150]}-{item['id']}",
                                summary=item.get("summary") or "",
                                body=item.get("body") or "",
                                year=item.get("year"),
                                language=item.get("language") or "en",
                                status=EntryStatus.PUBLISHED,
                                published_at=published,
                            ),
                            **facets,
                            "tags": set(item.get("tags") or []),
                            "attachment_text": None,
                        }
                    )
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"{path}: cannot load line {len(rows) + 1}: {error}") from error
        return self.write(rows)

    # -- writing ---------------------------------------------------------------------------------
    def write(self, rows):
        for start in range(0, len(rows), BATCH):
            Entry.objects.bulk_create([row["entry"] for row in rows[start : start + BATCH]], batch_size=BATCH)
        for field in ("themes", "violence_types", "city_types"):
            through = Entry._meta.get_field(field).remote_field.through
            target_column = through._meta.get_field(Entry._meta.get_field(field).m2m_reverse_field_name()).column
            self.copy(
                through._meta.db_table,
                ["entry_id", target_column],
                ((row["entry"].id, term_id) for row in rows for term_id in row[field]),
            )
        tag_ids = {}
        for name in sorted({tag for row in rows for tag in row["tags"]}):
            tag_ids[name] = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0].id
        content_type = ContentType.objects.get_for_model(Entry)
        self.copy(
            TaggedItem._meta.db_table,
            ["object_id", "content_type_id", "tag_id"],
            ((row["entry"].id, content_type.id, tag_ids[tag]) for row in rows for tag in row["tags"]),
        )
        Attachment.objects.bulk_create(
            [
                Attachment(
                    entry=row["entry"],
                    file=f"attachments/synthetic-{row['entry'].id}.pdf",
                    original_name=f"{row['entry'].slug}.pdf",
                    content_type="application/pdf",
                    extracted_text=row["attachment_text"],
                    extraction_status="done",
                )
                for row in rows
                if row["attachment_text"]
            ],
            batch_size=BATCH,
        )
        # The index is built at this transaction's commit by statements planned then: without statistics
        # of the rows just written (autovacuum sees them only after the commit) the planner took the
        # tag rows for an empty table and scanned them once per entry (a 100,000-entry load ran for over
        # 40 minutes instead of ~4). ANALYZE in the transaction samples its own rows.
        with connection.cursor() as cursor:
            for model in (Entry, Entry.themes.through, Entry.violence_types.through, Entry.city_types.through,
                          TaggedItem, Attachment):  # fmt: skip
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        return len(rows)

    def copy(self, table, columns, values):
        buffer = io.StringIO()
        for row in values:
            buffer.write("\t".join(str(value) for value in row) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)  # noqa: S608
