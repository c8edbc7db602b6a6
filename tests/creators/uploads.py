"""Pictures to upload as avatars."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# What a polyglot upload hides after the picture: browsers sniffing the file see a page.
HTML = b"<html><script>alert(document.cookie)</script></html>"


def image_upload(
    image_format: str = "PNG",
    *,
    name: str = "me.png",
    side: int = 8,
    gps: bool = False,
    trailer: bytes = b"",
):
    """An uploaded picture of random pixels: they don't compress, so `side` sets its size.

    gps=True adds the EXIF a phone writes (its make and where the photo was taken);
    `trailer` is appended after the picture's own bytes.
    """
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    extra = {}
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "Phone"
        location = exif.get_ifd(ExifTags.IFD.GPSInfo)
        location[ExifTags.GPS.GPSLatitudeRef] = "N"
        location[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
        extra["exif"] = exif
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **extra)
    return SimpleUploadedFile(name, buffer.getvalue() + trailer)
