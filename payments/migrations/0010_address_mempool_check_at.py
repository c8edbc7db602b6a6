"""Addresses carry when the mempool watcher next asks about them (issue 13).

Addresses watched today (reserved, or with a payment pending in the mempool) are due at
once; every other address is no longer watched in the mempool (null).
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def schedule_watched(apps, schema_editor):
    Address = apps.get_model("payments", "Address")
    Payment = apps.get_model("payments", "Payment")
    now = timezone.now()
    pending = Payment.objects.filter(address=OuterRef("pk"), state="mempool")
    Address.objects.filter(Q(reserved_until__gt=now) | Exists(pending)).update(mempool_check_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0009_tip_creator_newest"),
    ]

    operations = [
        migrations.AddField(
            model_name="address",
            name="mempool_check_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(schedule_watched, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="address",
            name="mempool_check_at",
            field=models.DateTimeField(blank=True, default=timezone.now, null=True),
        ),
        migrations.AddIndex(
            model_name="address",
            index=models.Index(
                condition=Q(mempool_check_at__isnull=False),
                fields=["mempool_check_at"],
                name="address_mempool_due",
            ),
        ),
    ]
