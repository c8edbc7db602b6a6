"""Rollups of confirmed tips per creator and day, and per creator, widget and video
(payments.rollups), filled from the tips; the overview no longer scans tips, so the
partial index it used goes; an index serves the creator's messages list, newest first."""

from datetime import UTC

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate


def backfill(apps, schema_editor):
    """payments.rollups.rollups_rebuild, on this migration's models."""
    Tip = apps.get_model("payments", "Tip")
    TipDayTotal = apps.get_model("payments", "TipDayTotal")
    TipSourceTotal = apps.get_model("payments", "TipSourceTotal")
    confirmed = Tip.objects.filter(status="confirmed")
    by_day = (
        confirmed.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("creator_id", "day")
        .annotate(count=Count("pk"), sats=Sum("confirmed_sats"))
        .order_by()
    )
    by_source = (
        confirmed.values("creator_id", "widget_id", "video_id")
        .annotate(count=Count("pk"), sats=Sum("confirmed_sats"))
        .order_by()
    )
    TipDayTotal.objects.bulk_create((TipDayTotal(**row) for row in by_day), batch_size=1000)
    TipSourceTotal.objects.bulk_create((TipSourceTotal(**row) for row in by_source), batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('creators', '0005_lightning_wallet'),
        ('payments', '0013_tip_rate_snapshot'),
        ('widgets', '0002_refused_origins'),
    ]

    operations = [
        migrations.CreateModel(
            name='TipDayTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('count', models.BigIntegerField(default=0)),
                ('sats', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='TipSourceTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('video_id', models.CharField(blank=True, max_length=200)),
                ('count', models.BigIntegerField(default=0)),
                ('sats', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name='tip',
            name='tip_confirmed_totals',
        ),
        migrations.AddField(
            model_name='tipdaytotal',
            name='creator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='creators.creator'),
        ),
        migrations.AddField(
            model_name='tipsourcetotal',
            name='creator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='creators.creator'),
        ),
        migrations.AddField(
            model_name='tipsourcetotal',
            name='widget',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='widgets.widget'),
        ),
        migrations.AddConstraint(
            model_name='tipdaytotal',
            constraint=models.UniqueConstraint(fields=('creator', 'day'), name='tip_day_total_once'),
        ),
        migrations.AddConstraint(
            model_name='tipsourcetotal',
            constraint=models.UniqueConstraint(condition=models.Q(('widget__isnull', False)), fields=('creator', 'widget', 'video_id'), name='tip_source_total_once'),
        ),
        migrations.AddConstraint(
            model_name='tipsourcetotal',
            constraint=models.UniqueConstraint(condition=models.Q(('widget__isnull', True)), fields=('creator', 'video_id'), name='tip_source_total_once_no_widget'),
        ),
        migrations.AddIndex(
            model_name="tip",
            index=models.Index(
                condition=models.Q(("message", ""), _negated=True),
                fields=["creator", "-created_at", "-id"],
                name="tip_creator_messages",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
