"""Members' relations now point at people.Person, people.Organization and places.City. State only:
no table or row changes (issue 19)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_private_files_owner_only'),
        ('people', '0001_people_from_meetings'),
        ('places', '0001_city_from_depository'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='inputpaper',
                name='authors',
            ),
            migrations.RemoveField(
                model_name='inputpaper',
                name='cities',
            ),
            migrations.AlterField(
                model_name='inputpaper',
                name='organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='input_papers', to='people.organization', verbose_name='organization'),
            ),
            migrations.AlterField(
                model_name='invitation',
                name='organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='people.organization', verbose_name='organization'),
            ),
            migrations.AlterField(
                model_name='invitation',
                name='person',
                field=models.ForeignKey(blank=True, help_text='The person the new member will be; empty to create a new person (merge them later if needed).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations', to='people.person', verbose_name='person'),
            ),
            migrations.AlterField(
                model_name='member',
                name='organization',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='members', to='people.organization', verbose_name='organization'),
            ),
            migrations.AlterField(
                model_name='member',
                name='person',
                field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='member', to='people.person', verbose_name='person'),
            ),
            migrations.AddField(
                model_name='inputpaper',
                name='authors',
                field=models.ManyToManyField(blank=True, related_name='input_papers', to='people.person', verbose_name='authors'),
            ),
            migrations.AddField(
                model_name='inputpaper',
                name='cities',
                field=models.ManyToManyField(blank=True, related_name='input_papers', to='places.city', verbose_name='cities'),
            ),
            ],
        ),
    ]
