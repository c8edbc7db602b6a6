"""An avatar picked on a profile form that was refused for another field is kept,
so the creator need not pick it again.

The picture (already checked and redrawn by AvatarField) is saved under
avatars/stash/ with a random name held in the creator's session only, shown on the
form, and used when the form comes back without a new picture.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

SESSION_KEY = "creators:avatar_stash"
STASH_DIR = "avatars/stash/"


def _name(request: HttpRequest) -> str | None:
    name = request.session.get(SESSION_KEY)
    if isinstance(name, str) and name.startswith(STASH_DIR) and default_storage.exists(name):
        return name
    return None


def avatar_forget(request: HttpRequest) -> None:
    name = request.session.pop(SESSION_KEY, None)
    if isinstance(name, str) and name.startswith(STASH_DIR):
        default_storage.delete(name)


def avatar_stash(request: HttpRequest, upload: UploadedFile) -> None:
    avatar_forget(request)
    upload.seek(0)
    # AvatarField names every upload it accepts (uuid.ext); "avatar" stands in otherwise.
    name = STASH_DIR + (upload.name or "avatar")
    request.session[SESSION_KEY] = default_storage.save(name, upload)


def stashed_avatar_url(request: HttpRequest) -> str | None:
    name = _name(request)
    return default_storage.url(name) if name else None


def files_with_stashed_avatar(request: HttpRequest, field: str = "avatar") -> MultiValueDict:
    """The uploaded files, with the stashed avatar when no new one was picked (and
    the picture was not cleared). A plain visit to the form forgets the stash."""
    if request.method != "POST":
        avatar_forget(request)
        return request.FILES
    if request.FILES.get(field) or request.POST.get(f"{field}-clear"):
        return request.FILES
    name = _name(request)
    if name is None:
        return request.FILES
    with default_storage.open(name) as stored:
        content = stored.read()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    files = request.FILES.copy()
    files[field] = SimpleUploadedFile(posixpath.basename(name), content, content_type)
    return files


def avatar_keep_after_refusal(request: HttpRequest, form) -> None:
    """After a refused post: stash the avatar the form accepted, if any."""
    upload = form.cleaned_data.get("avatar")
    if isinstance(upload, UploadedFile):
        avatar_stash(request, upload)
