"""People and organizations move from the meetings app to people, a floor beneath the depository
(issue 19). The tables keep their names (meetings_person, meetings_organization) and every row: only
Django's state changes, and the content types are renamed so that permissions and the admin's log follow."""

import django.db.models.deletion
from django.db import migrations, models

MOVES = [('meetings', 'person', 'people', 'person'), ('meetings', 'organization', 'people', 'organization')]


def rename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, old_model, new_app, new_model in MOVES:
        # A database that never had the old one (a fresh one) has nothing to rename.
        if not ContentType.objects.filter(app_label=new_app, model=new_model).exists():
            ContentType.objects.filter(app_label=old_app, model=old_model).update(app_label=new_app, model=new_model)


def unrename_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, old_model, new_app, new_model in MOVES:
        ContentType.objects.filter(app_label=new_app, model=new_model).update(app_label=old_app, model=old_model)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('meetings', '0004_events'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('places', '0001_city_from_depository'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Person',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=200, verbose_name='name')),
                    ('slug', models.SlugField(max_length=200, unique=True, verbose_name='slug')),
                    ('other_spellings', models.CharField(blank=True, help_text='Spellings of the name found in reports, separated by semicolons; used to match imports.', max_length=1000, verbose_name='other spellings')),
                    ('disclosure', models.CharField(choices=[('public', 'Public'), ('members', "Members only (others see 'one participant from <organization>')"), ('organizers', "Organizers only (others see 'one participant', without the organization)")], default='public', help_text='Lower it for people for whom being named at a meeting is a risk.', max_length=16, verbose_name='disclosure')),
                ],
                options={
                    'verbose_name': 'person',
                    'verbose_name_plural': 'people',
                    'db_table': 'meetings_person',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Organization',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=300, unique=True, verbose_name='name')),
                    ('slug', models.SlugField(max_length=200, unique=True, verbose_name='slug')),
                    ('acronym', models.CharField(blank=True, max_length=40, verbose_name='acronym')),
                    ('kind', models.CharField(choices=[('un', 'United Nations'), ('international', 'International organization'), ('government', 'National government'), ('city', 'City or municipality'), ('ngo', 'Non-governmental organization'), ('research', 'Research or academic institution'), ('foundation', 'Foundation'), ('donor', 'Development agency or donor'), ('private', 'Private company'), ('network', 'Network or platform'), ('other', 'Other')], default='other', max_length=16, verbose_name='kind')),
                    ('country', models.CharField(blank=True, max_length=120, verbose_name='country')),
                    ('website', models.URLField(blank=True, verbose_name='website')),
                    ('other_spellings', models.CharField(blank=True, help_text='Other names and spellings found in reports, separated by semicolons; used to match imports.', max_length=1000, verbose_name='other spellings')),
                    ('city', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='organizations', to='places.city', verbose_name='city')),
                ],
                options={
                    'verbose_name': 'organization',
                    'verbose_name_plural': 'organizations',
                    'db_table': 'meetings_organization',
                    'ordering': ['name'],
                },
            ),
            ],
        ),
        migrations.RunPython(rename_content_types, unrename_content_types),
    ]
