"""Emails to a creator, in one layout: every app's notices go through here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from creators.models import Creator


def email_creator(creator: Creator, template: str, context: dict[str, Any]) -> None:
    """Send `<template>_subject.txt` and `<template>.txt` (e.g. "payments/email/tip_confirmed")."""
    context = {**context, "creator": creator, "site_url": settings.SITE_URL}
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [creator.user.email])
