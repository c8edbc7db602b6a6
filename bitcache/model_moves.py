"""Moving a model to another app while its table and rows stay where they are.

The migrations that moved models out of `creators` and `payments` change only
Django's state (`SeparateDatabaseAndState`, tables keep their `db_table`). The
content types move with them, so permissions already granted on those models (the
Moderators group's, or a user's own) stay attached instead of pointing at an app
that no longer has the model.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import migrations


def content_types_move(from_app: str, to_app: str, models: Iterable[str]) -> migrations.RunPython:
    names = [name.lower() for name in models]

    def forwards(apps, schema_editor) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        for name in names:
            if not content_type.objects.filter(app_label=to_app, model=name).exists():
                content_type.objects.filter(app_label=from_app, model=name).update(app_label=to_app)

    def backwards(apps, schema_editor) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=to_app, model__in=names).update(app_label=from_app)

    return migrations.RunPython(forwards, backwards)
