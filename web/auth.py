"""Who a request is from, typed for the views that already know they are signed in.

`request.user` is a `User` or an `AnonymousUser`. Behind `login_required` (and the
decorators built on it) it can only be a `User`: such views take an
`AuthenticatedHttpRequest`, so services that record who acted get a real account.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose session is signed in (the view sits behind `login_required`)."""

    user: User
