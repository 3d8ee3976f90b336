"""The meetings' relations now point at people.Person, people.Organization and places.City; Person and
Organization leave this app's state (people holds the same tables). State only: no table or row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('depository', '0021_city_and_people_move_to_their_floors'),
        ('meetings', '0004_events'),
        ('members', '0006_people_and_cities_move_to_their_floors'),
        ('people', '0001_people_from_meetings'),
        ('places', '0001_city_from_depository'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='event',
                name='organizers',
            ),
            migrations.AlterField(
                model_name='sessioncontribution',
                name='organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='people.organization', verbose_name='organization'),
            ),
            migrations.AlterField(
                model_name='milestone',
                name='responsible_organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='milestones', to='people.organization', verbose_name='responsible organization'),
            ),
            migrations.AlterField(
                model_name='participation',
                name='organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='participations', to='people.organization', verbose_name='organization then'),
            ),
            migrations.RemoveField(
                model_name='meeting',
                name='hosts',
            ),
            migrations.AlterField(
                model_name='participation',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='people.person', verbose_name='person'),
            ),
            migrations.AlterField(
                model_name='sessioncontribution',
                name='person',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contributions', to='people.person', verbose_name='person'),
            ),
            migrations.RemoveField(
                model_name='programmesession',
                name='contributors',
            ),
            migrations.AlterField(
                model_name='event',
                name='city',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='places.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='meeting',
                name='city',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='meetings', to='places.city', verbose_name='city'),
            ),
            migrations.RemoveField(
                model_name='meeting',
                name='other_cities_represented',
            ),
            migrations.AddField(
                model_name='event',
                name='organizers',
                field=models.ManyToManyField(blank=True, related_name='organized_events', to='people.organization', verbose_name='organizers'),
            ),
            migrations.DeleteModel(
                name='Organization',
            ),
            migrations.AddField(
                model_name='meeting',
                name='hosts',
                field=models.ManyToManyField(blank=True, related_name='hosted_meetings', to='people.organization', verbose_name='hosts and co-facilitators'),
            ),
            migrations.DeleteModel(
                name='Person',
            ),
            migrations.AddField(
                model_name='programmesession',
                name='contributors',
                field=models.ManyToManyField(related_name='sessions', through='meetings.SessionContribution', to='people.person', verbose_name='contributors'),
            ),
            migrations.AddField(
                model_name='meeting',
                name='other_cities_represented',
                field=models.ManyToManyField(blank=True, help_text='Cities whose representatives joined without being on the participant list.', related_name='meetings_represented_at', to='places.city', verbose_name='other cities represented'),
            ),
            ],
        ),
    ]
