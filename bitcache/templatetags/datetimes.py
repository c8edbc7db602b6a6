"""One way to show a moment everywhere a creator reads one: the locale's date and time,
then the time zone, so "7:15" is never ambiguous."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import dateformat, formats, timezone

register = template.Library()


@register.filter
def datetime_tz(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {dateformat.format(local, 'T')}"
