"""Forms parse what people type; the rules live in unlocks.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creators.forms import AvatarField
from unlocks.models import UnlockItem, web_url
from unlocks.receipts import LENGTH


class UnlockItemForm(forms.ModelForm):
    # The same checks as avatars: PNG, JPEG or WebP by content, bounded size, renamed.
    cover = AvatarField(label=_("Cover image"), required=False)
    target_url = forms.URLField(
        label=_("Link sold"),
        max_length=2000,
        assume_scheme="https",
        validators=[web_url],
        help_text=_(
            "Where buyers are sent once they have paid: a Google Drive, Dropbox or any "
            "https:// link. It is never shown before payment."
        ),
    )

    class Meta:
        model = UnlockItem
        fields = [
            "title",
            "description",
            "price_sats",
            "price_fiat",
            "target_url",
            "cover",
            "sales_limit",
            "allow_zero_conf",
            "link_ttl_days",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "price_fiat": _(
                "Optional, in your display currency (Tip settings): converted to sats when a "
                "purchase starts and held for its payment window. The price in sats applies "
                "while no exchange rate is available."
            ),
            "sales_limit": _(
                "Leave empty for no limit. Unpaid purchases hold a place until they expire."
            ),
            "allow_zero_conf": _(
                "Faster for buyers, but an unconfirmed payment can still be replaced or "
                "dropped; access then closes by itself."
            ),
            "link_ttl_days": _(
                "After that, buyers get a fresh link with their receipt code (1 to 365 days)."
            ),
        }


class RecoverForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        # Room for the dashes and spaces people copy along with the code.
        max_length=LENGTH * 2,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
            }
        ),
    )
