"""Gap health kept as payments move (payments.onchain.gaps): per key, the highest receive
index paid in a block and every run of unpaid indexes below it, filled from the payments
in SQL (one window query: no index goes through Python)."""

import django.db.models.deletion
from django.db import migrations, models

# payments.onchain.gaps.gaps_rebuild, as of this migration.
PAID = """
    SELECT a.wallet_key_id AS key_id, a.index AS index,
           LAG(a.index, 1, -1) OVER (PARTITION BY a.wallet_key_id ORDER BY a.index) AS previous
    FROM payments_address a
    WHERE a.change = false
      AND EXISTS (SELECT 1 FROM payments_payment p
                  WHERE p.address_id = a.id AND p.state = 'confirmed')
"""


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_gapstate (wallet_key_id, highest_paid_index) "
            f"SELECT key_id, MAX(index) FROM ({PAID}) paid GROUP BY key_id"
        )
        cursor.execute(
            "INSERT INTO payments_gaprun (wallet_key_id, start, length) "
            f"SELECT key_id, previous + 1, index - previous - 1 FROM ({PAID}) paid "
            "WHERE index - previous > 1"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('creators', '0008_display_currency'),
        ('payments', '0016_zap_receipts'),
    ]

    operations = [
        migrations.CreateModel(
            name='GapState',
            fields=[
                ('wallet_key', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='creators.walletkey')),
                ('highest_paid_index', models.BigIntegerField(default=-1)),
            ],
        ),
        migrations.CreateModel(
            name='GapRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.BigIntegerField()),
                ('length', models.BigIntegerField()),
                ('wallet_key', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='creators.walletkey')),
            ],
            options={
                'indexes': [models.Index(fields=['wallet_key', '-length'], name='gap_run_longest')],
                'constraints': [models.UniqueConstraint(fields=('wallet_key', 'start'), name='gap_run_once'), models.CheckConstraint(condition=models.Q(('length__gt', 0)), name='gap_run_not_empty')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
