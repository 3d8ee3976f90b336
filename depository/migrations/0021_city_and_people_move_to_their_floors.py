"""The depository's relations now point at places.City and people.Person, and a city's city types are
declared on CityType (same table, depository_city_city_types, same columns). State only: no table
or row changes (issue 19)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('depository', '0020_entry_imports_in_the_background'),
        ('people', '0001_people_from_meetings'),
        ('places', '0001_city_from_depository'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveConstraint(
                model_name='city',
                name='city_unique_name_country',
            ),
            migrations.RemoveConstraint(
                model_name='city',
                name='city_coordinates_on_earth',
            ),
            migrations.RemoveConstraint(
                model_name='city',
                name='city_typology_example_group_1_or_2',
            ),
            migrations.RemoveField(
                model_name='entry',
                name='cities',
            ),
            migrations.AddField(
                model_name='citytype',
                name='cities',
                field=models.ManyToManyField(blank=True, db_table='depository_city_city_types', related_name='city_types', to='places.city', verbose_name='cities'),
            ),
            migrations.AlterField(
                model_name='creator',
                name='person',
                field=models.ForeignKey(blank=True, help_text='Link a person the TWG knows: their disclosure level then decides who sees the name.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='creatorships', to='people.person', verbose_name='person'),
            ),
            migrations.RemoveField(
                model_name='city',
                name='city_types',
            ),
            migrations.AddField(
                model_name='entry',
                name='cities',
                field=models.ManyToManyField(blank=True, related_name='entries', to='places.city', verbose_name='cities'),
            ),
            ],
        ),
    ]
