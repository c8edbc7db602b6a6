"""The one place where creator-owned data is scoped to its owner.

Every model a creator owns names, in `creator_lookup`, the path from itself to
its `Creator`. Views, APIs and selectors fetch creator-owned rows only through
`owned_by`, so tenant isolation is reviewed here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from creators.models import Creator

M = TypeVar("M", bound=models.Model)


def owned_by(creator: Creator, model: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
    """Rows of `model` (a model class or queryset) that belong to `creator`."""
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    lookup = getattr(queryset.model, "creator_lookup", None)
    if not isinstance(lookup, str):
        raise ImproperlyConfigured(
            f"{queryset.model.__name__} names no creator_lookup: it cannot be scoped to a creator."
        )
    return queryset.filter(**{lookup: creator})
