from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from bitcache import views

# Staff sign in through allauth like everyone else: its two-factor step, email
# verification and failed-login rate limits then apply to the admin too.
# (allauth's documented way; mypy forbids assigning to a method, which is the point here.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler500 = "bitcache.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon_ico, name="favicon"),
    path("favicon.svg", views.favicon_svg, name="favicon_svg"),
    # Switching language is harmless if forged, and without a CSRF token in every page's
    # header, anonymous pages need no per-visitor token (they stay cacheable and fast).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("bitcache.api_urls")),
    path("dashboard/widgets/", include("dashboard.widget_urls")),
    path("dashboard/unlocks/", include("dashboard.unlock_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("staff/", include("moderation.urls")),
    path("", include("moderation.report_urls")),
    path("", include("widgets.urls")),
    path("", include("live.urls")),
    path("", include("unlocks.urls")),
    path("", include("overlays.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
