"""City is no longer the depository's in Django's state (places.City holds the same table). State only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('depository', '0021_city_and_people_move_to_their_floors'),
        ('meetings', '0005_people_move_to_their_floor'),
        ('members', '0006_people_and_cities_move_to_their_floors'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.DeleteModel(
                name='City',
            ),
            ],
        ),
    ]
