# Migrations 0001-0010 squashed (issue 19): today's schema of 0010 built directly. The search index
# was built four ways in 0003-0010 (a document table, id-array postings, bit-string postings, lexeme
# postings), each replaced by the next; here only what 0010 leaves stands: the tables as the models
# were at 0010, the extensions and text search configurations the search needs, and the one SQL
# definition, search/sql/search_v1.sql. A database at any of 0001-0010 goes on with those files
# (kept until every deployment is past 0010); a new one runs this.

from pathlib import Path

import depository.models.attachments
import depository.models.postings
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
import taggit.managers
from django.conf import settings
from django.contrib.postgres.operations import CreateExtension, UnaccentExtension
from django.db import migrations, models



# Accent-insensitive text search (0003): per language, a copy of PostgreSQL's configuration with
# `unaccent` in front of the stemmer (search_v1.sql's depository_search_config names them).
CONFIGURATIONS = [
    ("twg_english", "english", "english_stem"),
    ("twg_spanish", "spanish", "spanish_stem"),
    ("twg_french", "french", "french_stem"),
    ("twg_arabic", "arabic", "arabic_stem"),
    ("twg_simple", "simple", "simple"),
]
CREATE_CONFIGURATIONS = "\n".join(
    f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base});"
    f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer};"
    for name, base, stemmer in CONFIGURATIONS
)
DROP_CONFIGURATIONS = "\n".join(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};" for name, _, _ in CONFIGURATIONS)
# The facet rows' id arrays and bit strings are read whole and compress badly: stored uncompressed
# (0004, 0007).
STORAGE = (
    "ALTER TABLE depository_facetposting ALTER COLUMN entry_ids SET STORAGE EXTERNAL;"
    "ALTER TABLE depository_facetposting ALTER COLUMN entry_bits SET STORAGE EXTERNAL;"
)
SQL_FILE = Path(__file__).resolve().parent.parent / "search" / "sql" / "search_v1.sql"


def install_sql(apps, schema_editor):
    # As 0010 does. Without parameters, so that the file's own `%s` (format()) are not taken for
    # placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SQL_FILE.read_text())
        cursor.execute("SELECT depository_search_rebuild()")


class Migration(migrations.Migration):

    replaces = [('depository', '0001_initial'), ('depository', '0002_attachment'), ('depository', '0003_practice_cards_and_search'), ('depository', '0004_facet_postings'), ('depository', '0005_search_candidates'), ('depository', '0006_translated_content'), ('depository', '0007_facet_posting_bits'), ('depository', '0008_search_lexeme_postings'), ('depository', '0009_internal_tags'), ('depository', '0010_search_v1')]

    dependencies = [
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        UnaccentExtension(),
        CreateExtension("intarray"),
        migrations.RunSQL(CREATE_CONFIGURATIONS, DROP_CONFIGURATIONS),
        migrations.CreateModel(
            name='CityType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                ('slug', models.SlugField(max_length=120, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Terms are listed by position, then by name.', verbose_name='position')),
                ('description_ar', models.TextField(blank=True, db_default='', default='', verbose_name='description (Arabic)')),
                ('description_es', models.TextField(blank=True, db_default='', default='', verbose_name='description (Spanish)')),
                ('description_fr', models.TextField(blank=True, db_default='', default='', verbose_name='description (French)')),
                ('name_ar', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Arabic)')),
                ('name_es', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Spanish)')),
                ('name_fr', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (French)')),
            ],
            options={
                'verbose_name': 'city type',
                'verbose_name_plural': 'city types',
                'ordering': ['position', 'name'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Entry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('tool', 'Tool'), ('mechanism', 'Mechanism'), ('promising_practice', 'Promising practice'), ('case_study', 'Case study'), ('lesson_from_failure', 'Lesson from failure'), ('publication', 'Publication'), ('input_paper', 'Input paper'), ('meeting_report', 'Meeting report'), ('guidance', 'Guidance')], max_length=32, verbose_name='kind')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('slug', models.SlugField(max_length=200, unique=True, verbose_name='slug')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('body', models.TextField(blank=True, help_text='Markdown.', verbose_name='body')),
                ('annotation', models.TextField(blank=True, help_text="The literature review's note on why this matters to the TWG.", verbose_name='annotation')),
                ('authors', models.CharField(blank=True, max_length=500, verbose_name='authors')),
                ('publisher', models.CharField(blank=True, max_length=300, verbose_name='publisher')),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='year')),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish'), ('fr', 'French'), ('ar', 'Arabic')], default='en', max_length=2, verbose_name='language')),
                ('external_url', models.URLField(blank=True, max_length=500, verbose_name='external link')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=16, verbose_name='status')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('curated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='curated_entries', to=settings.AUTH_USER_MODEL, verbose_name='curated by')),
                ('costs_and_needs', models.TextField(blank=True, verbose_name='what it costs or needs')),
                ('evidence_level', models.CharField(blank=True, choices=[('anecdotal', 'Anecdotal'), ('documented', 'Documented'), ('evaluated', 'Evaluated')], max_length=16, verbose_name='strength of the evidence')),
                ('outcomes', models.TextField(blank=True, verbose_name='what came of it')),
                ('what_it_is', models.TextField(blank=True, verbose_name='what it is')),
                ('what_was_learned', models.TextField(blank=True, verbose_name='what was learned')),
                ('what_was_tried', models.TextField(blank=True, verbose_name='what was tried')),
                ('what_went_wrong', models.TextField(blank=True, verbose_name='what went wrong')),
                ('who_implements', models.TextField(blank=True, verbose_name='who implements it')),
                ('summary_ar', models.TextField(blank=True, db_default='', default='', verbose_name='summary (Arabic)')),
                ('summary_en', models.TextField(blank=True, db_default='', default='', verbose_name='summary (English)')),
                ('summary_es', models.TextField(blank=True, db_default='', default='', verbose_name='summary (Spanish)')),
                ('summary_fr', models.TextField(blank=True, db_default='', default='', verbose_name='summary (French)')),
                ('title_ar', models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='title (Arabic)')),
                ('title_en', models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='title (English)')),
                ('title_es', models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='title (Spanish)')),
                ('title_fr', models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='title (French)')),
            ],
            options={
                'verbose_name': 'entry',
                'verbose_name_plural': 'entries',
                'ordering': ['-published_at', '-created_at'],
            },
        ),
        migrations.CreateModel(
            name='EntryPostings',
            fields=[
                ('entry_id', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='entry id')),
                ('posting_ids', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), default=list, verbose_name='facet posting ids')),
            ],
            options={
                'verbose_name': 'facet rows of an entry',
                'verbose_name_plural': 'facet rows of entries',
            },
        ),
        migrations.CreateModel(
            name='GlossaryTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term', models.CharField(max_length=120, unique=True, verbose_name='term')),
                ('slug', models.SlugField(max_length=120, unique=True, verbose_name='slug')),
                ('definition', models.TextField(blank=True, verbose_name='working definition')),
                ('usage_notes', models.TextField(blank=True, help_text='How the urban safety and peacebuilding communities use the term.', verbose_name='usage notes')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                ('definition_ar', models.TextField(blank=True, db_default='', default='', verbose_name='working definition (Arabic)')),
                ('definition_es', models.TextField(blank=True, db_default='', default='', verbose_name='working definition (Spanish)')),
                ('definition_fr', models.TextField(blank=True, db_default='', default='', verbose_name='working definition (French)')),
                ('term_ar', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='term (Arabic)')),
                ('term_es', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='term (Spanish)')),
                ('term_fr', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='term (French)')),
                ('usage_notes_ar', models.TextField(blank=True, db_default='', default='', verbose_name='usage notes (Arabic)')),
                ('usage_notes_es', models.TextField(blank=True, db_default='', default='', verbose_name='usage notes (Spanish)')),
                ('usage_notes_fr', models.TextField(blank=True, db_default='', default='', verbose_name='usage notes (French)')),
            ],
            options={
                'verbose_name': 'glossary term',
                'verbose_name_plural': 'glossary terms',
                'ordering': ['position', 'term'],
            },
        ),
        migrations.CreateModel(
            name='InternalTag',
            fields=[
                ('tag', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='internal', serialize=False, to='taggit.tag', verbose_name='tag')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='what it is for')),
            ],
            options={
                'verbose_name': 'internal tag',
                'verbose_name_plural': 'internal tags',
            },
        ),
        migrations.CreateModel(
            name='SearchQueue',
            fields=[
                ('entry_id', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='entry id')),
            ],
            options={
                'verbose_name': 'entry waiting for the search index',
                'verbose_name_plural': 'entries waiting for the search index',
            },
        ),
        migrations.CreateModel(
            name='ViolenceType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                ('slug', models.SlugField(max_length=120, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Terms are listed by position, then by name.', verbose_name='position')),
                ('description_ar', models.TextField(blank=True, db_default='', default='', verbose_name='description (Arabic)')),
                ('description_es', models.TextField(blank=True, db_default='', default='', verbose_name='description (Spanish)')),
                ('description_fr', models.TextField(blank=True, db_default='', default='', verbose_name='description (French)')),
                ('name_ar', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Arabic)')),
                ('name_es', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Spanish)')),
                ('name_fr', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (French)')),
            ],
            options={
                'verbose_name': 'violence type',
                'verbose_name_plural': 'violence types',
                'ordering': ['position', 'name'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='City',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('slug', models.SlugField(max_length=140, unique=True, verbose_name='slug')),
                ('country', models.CharField(blank=True, max_length=120, verbose_name='country')),
                ('city_types', models.ManyToManyField(blank=True, related_name='cities', to='depository.citytype', verbose_name='city types')),
            ],
            options={
                'verbose_name': 'city',
                'verbose_name_plural': 'cities',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='EntrySearchDocument',
            fields=[
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='depository.entry', verbose_name='entry')),
                ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish'), ('fr', 'French'), ('ar', 'Arabic')], max_length=2, verbose_name='language')),
                ('document', django.contrib.postgres.search.SearchVectorField(verbose_name='search document')),
                ('title_vector', django.contrib.postgres.search.SearchVectorField(null=True, verbose_name='title search vector')),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
            },
        ),
        migrations.AddField(
            model_name='entry',
            name='cities',
            field=models.ManyToManyField(blank=True, related_name='entries', to='depository.city', verbose_name='cities'),
        ),
        migrations.AddField(
            model_name='entry',
            name='city_types',
            field=models.ManyToManyField(blank=True, related_name='entries', to='depository.citytype', verbose_name='city types'),
        ),
        migrations.AddField(
            model_name='entry',
            name='tags',
            field=taggit.managers.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='taggit.TaggedItem', to='taggit.Tag', verbose_name='tags'),
        ),
        migrations.CreateModel(
            name='Attachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=300, upload_to=depository.models.attachments.attachment_path, verbose_name='file')),
                ('original_name', models.CharField(blank=True, max_length=255, verbose_name='original file name')),
                ('content_type', models.CharField(blank=True, max_length=100, verbose_name='type')),
                ('size', models.PositiveBigIntegerField(default=0, verbose_name='size in bytes')),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('page_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='pages')),
                ('extracted_text', models.TextField(blank=True, verbose_name='extracted text')),
                ('extraction_status', models.CharField(choices=[('pending', 'Waiting for text extraction'), ('done', 'Text extracted'), ('failed', 'Text could not be extracted')], default='pending', max_length=16, verbose_name='text extraction')),
                ('extraction_error', models.TextField(blank=True, verbose_name='extraction error')),
                ('is_public', models.BooleanField(default=True, help_text='Public files of published entries can be downloaded by anyone.', verbose_name='public')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='depository.entry', verbose_name='entry')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'attachment',
                'verbose_name_plural': 'attachments',
                'ordering': ['uploaded_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='FacetPosting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('facet', models.CharField(max_length=32, verbose_name='facet')),
                ('value', models.CharField(max_length=200, verbose_name='value')),
                ('entry_ids', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), default=list, verbose_name='entry ids')),
                ('entry_bits', depository.models.postings.BitStringField(default='', verbose_name='entry bits')),
                ('size', models.PositiveIntegerField(default=0, verbose_name='number of entries')),
            ],
            options={
                'verbose_name': 'facet posting',
                'verbose_name_plural': 'facet postings',
                'constraints': [models.UniqueConstraint(fields=('facet', 'value'), name='facet_posting_unique_value')],
            },
        ),
        migrations.CreateModel(
            name='Theme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                ('slug', models.SlugField(max_length=120, unique=True, verbose_name='slug')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='Terms are listed by position, then by name.', verbose_name='position')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='depository.theme', verbose_name='parent theme')),
                ('description_ar', models.TextField(blank=True, db_default='', default='', verbose_name='description (Arabic)')),
                ('description_es', models.TextField(blank=True, db_default='', default='', verbose_name='description (Spanish)')),
                ('description_fr', models.TextField(blank=True, db_default='', default='', verbose_name='description (French)')),
                ('name_ar', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Arabic)')),
                ('name_es', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (Spanish)')),
                ('name_fr', models.CharField(blank=True, db_default='', default='', max_length=120, verbose_name='name (French)')),
            ],
            options={
                'verbose_name': 'theme',
                'verbose_name_plural': 'themes',
                'ordering': ['position', 'name'],
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='entry',
            name='themes',
            field=models.ManyToManyField(blank=True, related_name='entries', to='depository.theme', verbose_name='themes'),
        ),
        migrations.AddField(
            model_name='entry',
            name='violence_types',
            field=models.ManyToManyField(blank=True, related_name='entries', to='depository.violencetype', verbose_name='violence types'),
        ),
        migrations.AddConstraint(
            model_name='city',
            constraint=models.UniqueConstraint(fields=('name', 'country'), name='city_unique_name_country'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fields=['document'], name='entry_search_document_gin'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(fields=['title_vector'], name='entry_search_title_gin'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=models.Q(('parent', models.F('id')), _negated=True), name='theme_not_own_parent'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['status', '-published_at'], name='entry_status_published_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['kind', 'status'], name='entry_kind_status_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(models.OrderBy(models.F('published_at'), descending=True, nulls_last=True), models.OrderBy(models.F('created_at'), descending=True), models.F('id'), condition=models.Q(('status', 'published')), name='entry_published_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(models.OrderBy(models.F('year'), descending=True, nulls_last=True), django.db.models.functions.text.Lower('title'), models.F('id'), condition=models.Q(('status', 'published')), name='entry_published_year_idx'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(django.db.models.functions.text.Lower('title'), models.F('id'), condition=models.Q(('status', 'published')), name='entry_published_title_idx'),
        ),
        migrations.AddConstraint(
            model_name='entry',
            constraint=models.CheckConstraint(condition=models.Q(('year__isnull', True), models.Q(('year__gte', 1900), ('year__lte', 2100)), _connector='OR'), name='entry_year_plausible'),
        ),
        migrations.AddConstraint(
            model_name='entry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('published_at__isnull', False), _connector='OR'), name='entry_published_has_date'),
        ),
        migrations.RunSQL(STORAGE, migrations.RunSQL.noop),
        migrations.RunPython(install_sql, migrations.RunPython.noop),
    ]
