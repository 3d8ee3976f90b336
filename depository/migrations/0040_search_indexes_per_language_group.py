"""The search documents' two GIN indexes (document, title) as one per language group, each over that
group's rows (issue 23; depository.models.search_documents.per_language_group says why). Built while
the table is locked against writes, as Django's AddIndex builds an index: ~12 s for the ten at 100,000
entries; searches keep reading meanwhile."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('depository', '0039_negated_words'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='entrysearchdocument',
            name='entry_search_document_gin',
        ),
        migrations.RemoveIndex(
            model_name='entrysearchdocument',
            name='entry_search_title_gin',
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'en')), fields=['document'], gin_pending_list_limit=256, name='entry_search_document_en'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'es')), fields=['document'], gin_pending_list_limit=256, name='entry_search_document_es'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'fr')), fields=['document'], gin_pending_list_limit=256, name='entry_search_document_fr'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'ar')), fields=['document'], gin_pending_list_limit=256, name='entry_search_document_ar'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language__in', ('en', 'es', 'fr', 'ar')), _negated=True), fields=['document'], gin_pending_list_limit=256, name='entry_search_document_other'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'en')), fields=['title_vector'], gin_pending_list_limit=256, name='entry_search_title_en'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'es')), fields=['title_vector'], gin_pending_list_limit=256, name='entry_search_title_es'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'fr')), fields=['title_vector'], gin_pending_list_limit=256, name='entry_search_title_fr'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language', 'ar')), fields=['title_vector'], gin_pending_list_limit=256, name='entry_search_title_ar'),
        ),
        migrations.AddIndex(
            model_name='entrysearchdocument',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('language__in', ('en', 'es', 'fr', 'ar')), _negated=True), fields=['title_vector'], gin_pending_list_limit=256, name='entry_search_title_other'),
        ),
    ]
