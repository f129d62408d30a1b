# Formal forums and their members (issue #18).

import django.db.models.deletion
import simple_history.models
import stakeholders.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stakeholders', '0006_key_people'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Forum',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('icb_board', 'ICB board'), ('integrated_care_partnership', 'Integrated care partnership'), ('health_and_wellbeing_board', 'Health and wellbeing board'), ('place_partnership_board', 'Place partnership board'), ('provider_collaborative', 'Provider collaborative'), ('neighbourhood_team', 'Neighbourhood team'), ('strategic_authority_board', 'Strategic authority board'), ('other', 'Other')], max_length=30)),
                ('tier', models.CharField(choices=[('national', 'National'), ('regional', 'Regional'), ('system', 'System'), ('place', 'Place'), ('neighbourhood', 'Neighbourhood')], max_length=20)),
                ('version', models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ('host', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hosted_forums', to='stakeholders.organisation', verbose_name='host organisation')),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='forums', to='stakeholders.workspace')),
            ],
            options={
                'ordering': ['name'],
            },
            bases=(stakeholders.models.CleanText, models.Model),
        ),
        migrations.CreateModel(
            name='ForumMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seat', models.CharField(choices=[('chair', 'Chair'), ('voting_member', 'Voting member'), ('participant', 'Participant')], default='voting_member', max_length=20)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('end_date', models.DateField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ('forum', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='stakeholders.forum')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='forum_memberships', to='stakeholders.person')),
            ],
            options={
                'verbose_name': 'forum membership',
                'ordering': ['forum', 'person'],
            },
            bases=(stakeholders.models.CleanText, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalForum',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('icb_board', 'ICB board'), ('integrated_care_partnership', 'Integrated care partnership'), ('health_and_wellbeing_board', 'Health and wellbeing board'), ('place_partnership_board', 'Place partnership board'), ('provider_collaborative', 'Provider collaborative'), ('neighbourhood_team', 'Neighbourhood team'), ('strategic_authority_board', 'Strategic authority board'), ('other', 'Other')], max_length=30)),
                ('tier', models.CharField(choices=[('national', 'National'), ('regional', 'Regional'), ('system', 'System'), ('place', 'Place'), ('neighbourhood', 'Neighbourhood')], max_length=20)),
                ('version', models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('host', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stakeholders.organisation', verbose_name='host organisation')),
                ('workspace', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stakeholders.workspace')),
            ],
            options={
                'verbose_name': 'historical forum',
                'verbose_name_plural': 'historical forums',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalForumMembership',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('seat', models.CharField(choices=[('chair', 'Chair'), ('voting_member', 'Voting member'), ('participant', 'Participant')], default='voting_member', max_length=20)),
                ('start_date', models.DateField(blank=True, null=True)),
                ('end_date', models.DateField(blank=True, null=True)),
                ('version', models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('forum', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stakeholders.forum')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='stakeholders.person')),
            ],
            options={
                'verbose_name': 'historical forum membership',
                'verbose_name_plural': 'historical forum memberships',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.UniqueConstraint(fields=('workspace', 'name'), name='forum_unique_name', violation_error_message='A forum with this name already exists here.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='forum_name_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['icb_board', 'integrated_care_partnership', 'health_and_wellbeing_board', 'place_partnership_board', 'provider_collaborative', 'neighbourhood_team', 'strategic_authority_board', 'other'])), name='forum_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=models.Q(('tier__in', ['national', 'regional', 'system', 'place', 'neighbourhood'])), name='forum_tier_valid'),
        ),
        migrations.AddConstraint(
            model_name='forummembership',
            constraint=models.UniqueConstraint(fields=('forum', 'person'), name='forummembership_unique_forum_person', violation_error_message='This person already has a seat on this forum.'),
        ),
        migrations.AddConstraint(
            model_name='forummembership',
            constraint=models.CheckConstraint(condition=models.Q(('seat__in', ['chair', 'voting_member', 'participant'])), name='forummembership_seat_valid'),
        ),
        migrations.AddConstraint(
            model_name='forummembership',
            constraint=models.CheckConstraint(condition=models.Q(('start_date__isnull', True), ('end_date__isnull', True), ('end_date__gte', models.F('start_date')), _connector='OR'), name='forummembership_end_after_start', violation_error_message='The end date cannot be before the start date.'),
        ),
    ]
