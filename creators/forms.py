"""Forms for creator pages and moderation: they parse input; services.py decides."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from PIL import Image, ImageOps

from btc import KeyRefused, parse_key
from creators.key_refusals import refusal_text
from creators.models import Creator
from creators.selectors import creator_handle_taken, wallet_key_registered_elsewhere
from creators.services import HANDLE_TAKEN, KEY_REGISTERED_ELSEWHERE

# The longest descriptor we accept (a key origin, an xpub, a path and a checksum)
# is under 250 characters; anything near this bound is not a public key.
KEY_MAX_CHARS = 4096
# Avatars are shown at a few hundred pixels; a bigger canvas is a decompression bomb
# waiting for the first thumbnailer.
AVATAR_MAX_PIXELS = 4096 * 4096
# What we keep: enough for a cover across a wide screen.
AVATAR_MAX_SIDE = 2048


class AvatarField(forms.ImageField):
    """A PNG, JPEG or WebP picture, judged by its content, not its name.

    Django's ImageField lets Pillow verify the file; we also bound its size before
    Pillow reads it, allow only three formats, and rename the file after its real
    format so an image uploaded as `page.html` is never served as a web page.
    What we store is the picture drawn anew by Pillow, not the uploaded bytes:
    anything after the image (an HTML page, a zip) and every piece of metadata
    (EXIF with the camera's GPS position, comments) is left behind, and pictures
    larger than AVATAR_MAX_SIDE are scaled down.
    """

    extensions = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
    widget = forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})

    def to_python(self, data: Any) -> Any:
        max_bytes = settings.BITCACHE_MAX_AVATAR_BYTES
        if getattr(data, "size", 0) > max_bytes:
            raise ValidationError(
                _("The picture is too large: at most %(size)s, please."),
                params={"size": filesizeformat(max_bytes)},
                code="avatar_too_large",
            )
        upload = super().to_python(data)
        if upload is None:
            return None
        # ImageField.to_python leaves the Pillow image it verified on the file as
        # `image`, an attribute the stubs do not declare.
        image: Image.Image = upload.image  # type: ignore[attr-defined]
        image_format = image.format or ""  # None for an image not read from a file
        extension = self.extensions.get(image_format)
        if extension is None:
            raise ValidationError(
                _("Please upload a PNG, JPEG or WebP picture."), code="avatar_format"
            )
        width, height = image.size
        if width * height > AVATAR_MAX_PIXELS:
            raise ValidationError(
                _("The picture is too large: at most 4096 × 4096 pixels, please."),  # noqa: RUF001
                code="avatar_too_large",
            )
        return SimpleUploadedFile(
            f"{uuid.uuid4().hex}.{extension}",
            redrawn(upload, image_format),
            content_type=Image.MIME[image_format],
        )


def redrawn(upload: Any, image_format: str) -> bytes:
    """The upload's first frame, upright, at most AVATAR_MAX_SIDE wide and high,
    saved afresh in `image_format` with no metadata."""
    upload.seek(0)
    with Image.open(upload) as opened:
        picture = ImageOps.exif_transpose(opened)  # EXIF's rotation, before EXIF goes
        picture.thumbnail((AVATAR_MAX_SIDE, AVATAR_MAX_SIDE))
        if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        elif picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            picture = picture.convert("RGBA")
        picture.info.clear()  # comments, ICC and EXIF would otherwise be written back
        buffer = io.BytesIO()
        picture.save(buffer, image_format, **({"quality": 90} if image_format != "PNG" else {}))
    return buffer.getvalue()


_SPACES = re.compile(r"\s+")


def normalize_handle(text: str) -> str:
    """What people type as a handle, made into one: `@Alice Streams` -> `Alice-Streams`
    (the @ of /@handle dropped, spaces turned into hyphens). The rest is left to the
    handle's validators, which say what is still wrong."""
    return _SPACES.sub("-", text.strip().removeprefix("@").strip())


class HandleField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return normalize_handle(super().to_python(value) or "")


class CreatorProfileEditForm(forms.ModelForm):
    """The profile edit form: everything but the handle (see services.creator_update)."""

    avatar = AvatarField(label=_("Avatar"), required=False)
    channel_url = forms.URLField(
        label=_("Channel URL"),
        required=False,
        max_length=200,
        assume_scheme="https",
        # Text, not type=url: browsers refuse "youtube.com/@me" in a URL field; we add https://.
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        help_text=_(
            "Your video channel, so viewers know the tip page is yours, e.g. "
            "youtube.com/@yourname (https:// is added for you)."
        ),
    )

    class Meta:
        model = Creator
        fields = ["display_name", "bio", "channel_url", "avatar"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}


class CreatorProfileForm(CreatorProfileEditForm):
    """The onboarding form: the whole public profile, handle included."""

    handle = HandleField(
        label=_("Handle"),
        max_length=40,
        help_text=_(
            "Your tip page will be /@handle. Letters, digits, '-' and '_'; a leading @ is "
            "dropped and spaces become '-': “@Alice Streams” becomes Alice-Streams."
        ),
    )

    class Meta(CreatorProfileEditForm.Meta):
        fields = ["handle", "display_name", "bio", "channel_url", "avatar"]

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"]
        if creator_handle_taken(handle=handle, exclude=self.instance):
            raise ValidationError(HANDLE_TAKEN, code="taken")
        return handle


class KeyTextarea(forms.Textarea):
    """A textarea that never writes the submitted text back into the page.

    After a refusal that text may be a private key or seed words; showing it
    again would put it in the browser's cache, history and screenshots.
    """

    def format_value(self, value: Any) -> None:
        return None


class WalletKeyForm(forms.Form):
    """Paste a key (first post), then confirm what it derives (second post).

    The preview page posts the same key back with the descriptor the creator
    compared with their wallet; the key is parsed again and must still give that
    descriptor, so what is stored is exactly what was shown.
    """

    key = forms.CharField(
        label=_("Your wallet's public key or output descriptor"),
        max_length=KEY_MAX_CHARS,
        widget=KeyTextarea(
            attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off", "autocapitalize": "off"}
        ),
        help_text=_(
            "An xpub, ypub or zpub (or tpub, upub, vpub on test networks), or a descriptor "
            "such as wpkh([fingerprint/84h/0h/0h]xpub…/0/*). Never your seed words or a "
            "private key."
        ),
    )
    confirmed_descriptor = forms.CharField(
        required=False, max_length=KEY_MAX_CHARS, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, creator: Creator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creator = creator

    # Keep the pasted text out of error reports, should anything below fail.
    @sensitive_variables()
    def clean_key(self) -> str:
        text = self.cleaned_data["key"]
        try:
            key = parse_key(text, network=settings.BITCACHE_NETWORK)
        except KeyRefused as refusal:
            # `from None`: the parser's own exceptions may quote the input.
            raise ValidationError(refusal_text(refusal), code="refused") from None
        if wallet_key_registered_elsewhere(creator=self.creator, key=key):
            raise ValidationError(KEY_REGISTERED_ELSEWHERE, code="registered_elsewhere")
        self.cleaned_data["watch_key"] = key
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        key = self.cleaned_data.get("watch_key")
        confirmed = self.cleaned_data.get("confirmed_descriptor")
        if key is not None and confirmed and confirmed != key.descriptor:
            raise ValidationError(
                _("The key changed since you compared its addresses. Please paste it again."),
                code="changed",
            )
        return self.cleaned_data

    @property
    def is_confirmation(self) -> bool:
        return bool(self.cleaned_data.get("confirmed_descriptor"))
