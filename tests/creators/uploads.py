"""Pictures to upload as avatars."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(image_format: str = "PNG", *, name: str = "me.png", side: int = 8):
    """An uploaded picture of random pixels: they don't compress, so `side` sets its size."""
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    picture.save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue())
