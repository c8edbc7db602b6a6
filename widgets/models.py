from __future__ import annotations

import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from creators.models import Creator


def new_widget_id() -> str:
    return secrets.token_urlsafe(9)


class WidgetTheme(models.TextChoices):
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")
    ACCENT = "accent", _("Accent")


class Widget(models.Model):
    """A tip widget a creator embeds under a video or on a site."""

    creator_lookup = "creator"

    public_id = models.CharField(max_length=16, unique=True, default=new_widget_id, editable=False)
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="widgets")
    label = models.CharField(_("label"), max_length=80)
    min_tip_sats = models.PositiveBigIntegerField(
        _("minimum tip (sats)"), validators=[MinValueValidator(1)]
    )
    suggested_amounts = models.JSONField(_("suggested amounts (sats)"), default=list, blank=True)
    theme = models.CharField(max_length=16, choices=WidgetTheme.choices, default=WidgetTheme.LIGHT)
    video_id = models.CharField(_("video id or URL"), max_length=200, blank=True)
    # Origins allowed to frame the widget (CSP frame-ancestors); empty means any.
    allowed_origins = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} ({self.creator})"


class RefusedOrigin(models.Model):
    """A site that tried to show a widget it is not allowed on (CSP violation reports,
    and embed.js asking from there), for the creator's widget page. Only the origin
    is kept: no page path, no viewer address."""

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="refused_origins")
    origin = models.CharField(max_length=200)
    times = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["widget", "origin"], name="refused_origin_once")
        ]

    def __str__(self) -> str:
        return f"{self.origin} ({self.widget})"
