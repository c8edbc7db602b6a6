from django.urls import path

from widgets import lnurl, views

app_name = "widgets"

urlpatterns = [
    path("@<str:handle>", views.creator_page, name="creator"),
    path("w/<str:widget_id>/", views.widget_page, name="widget"),
    path("w/<str:widget_id>/config.json", views.widget_config, name="widget_config"),
    path("w/<str:widget_id>/refused", views.widget_refused, name="refused"),
    path("t/<str:tip_id>/", views.tip_detail, name="tip"),
    path("t/<str:tip_id>/status.json", views.tip_status, name="tip_status"),
    path("t/<str:tip_id>/renew", views.new_address, name="tip_new_address"),
    path("embed.js", views.embed_js, name="embed_js"),
    # <handle>@<site>: LUD-16 -> LUD-06 payRequest, its callback, LUD-21 verify.
    path(".well-known/lnurlp/<str:handle>", lnurl.lnurlp, name="lnurlp"),
    path(".well-known/lnurlp/<str:handle>/callback", lnurl.lnurlp_callback, name="lnurlp_callback"),
    path(
        ".well-known/lnurlp/<str:handle>/verify/<str:payment_hash>",
        lnurl.lnurlp_verify,
        name="lnurlp_verify",
    ),
]
