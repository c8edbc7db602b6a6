from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0010_address_mempool_check_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="tip",
            index=models.Index(
                condition=models.Q(("status", "confirmed")),
                fields=["creator", "created_at"],
                include=["confirmed_sats", "widget", "video_id"],
                name="tip_confirmed_totals",
            ),
        ),
    ]
