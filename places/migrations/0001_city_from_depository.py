"""Cities move from the depository to places, the floor beneath (issue 19). The table keeps its name
(depository_city) and every row: only Django's state changes, and the content type is renamed so
that permissions and the admin's log follow."""

from django.db import migrations, models

MOVES = [('depository', 'city', 'places', 'city')]


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
        ('depository', '0020_entry_imports_in_the_background'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='City',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=120, verbose_name='name')),
                    ('slug', models.SlugField(max_length=140, unique=True, verbose_name='slug')),
                    ('country', models.CharField(blank=True, max_length=120, verbose_name='country')),
                    ('latitude', models.DecimalField(blank=True, decimal_places=5, help_text='Degrees north (WGS 84).', max_digits=8, null=True, verbose_name='latitude')),
                    ('longitude', models.DecimalField(blank=True, decimal_places=5, help_text='Degrees east (WGS 84).', max_digits=8, null=True, verbose_name='longitude')),
                    ('coordinates_source', models.CharField(blank=True, help_text="The gazetteer record the coordinates come from, e.g. 'GeoNames 2660646'.", max_length=300, verbose_name='source of the coordinates')),
                    ('in_cluster', models.BooleanField(default=False, help_text="One of the 'cluster of about 20 cities' the inception report expects (section 2).", verbose_name='in the cluster of cities')),
                    ('typology_example_group', models.PositiveSmallIntegerField(blank=True, help_text="The group of example cities the inception report puts the city in (work plan item 7: 'Juba, Mogadishu, Timbuktu vs. Raqqa, Bogota and L.A.'): 1 or 2.", null=True, verbose_name='typology example group')),
                ],
                options={
                    'verbose_name': 'city',
                    'verbose_name_plural': 'cities',
                    'db_table': 'depository_city',
                    'ordering': ['name'],
                    'constraints': [models.UniqueConstraint(fields=('name', 'country'), name='city_unique_name_country'), models.CheckConstraint(condition=models.Q(models.Q(('latitude__isnull', True), ('longitude__isnull', True)), models.Q(('latitude__gte', -90), ('latitude__lte', 90), ('longitude__gte', -180), ('longitude__lte', 180)), _connector='OR'), name='city_coordinates_on_earth'), models.CheckConstraint(condition=models.Q(('typology_example_group__isnull', True), ('typology_example_group__in', [1, 2]), _connector='OR'), name='city_typology_example_group_1_or_2')],
                },
            ),
            ],
        ),
        migrations.RunPython(rename_content_types, unrename_content_types),
    ]
