from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0008_tip_client_and_watched"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="tip",
            index=models.Index(fields=["creator", "-created_at", "-id"], name="tip_creator_newest"),
        ),
    ]
