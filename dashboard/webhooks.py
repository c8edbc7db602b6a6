"""Webhook endpoints: register, edit, disable or delete them; read and redeliver their log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators.models import Creator
from dashboard.forms import WebhookEndpointForm
from dashboard.views import creator_required
from webhooks import selectors, services
from webhooks.models import WebhookEndpoint

DELIVERIES_PER_PAGE = 50


def _endpoint_or_404(creator: Creator, endpoint_id: str) -> WebhookEndpoint:
    endpoint = selectors.webhook_endpoint_of(creator=creator, public_id=endpoint_id)
    if endpoint is None:
        raise Http404
    return endpoint


@creator_required
def endpoint_list(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    endpoints = selectors.webhook_endpoints_of(creator=creator)
    return render(request, "dashboard/webhooks.html", {"endpoints": endpoints})


@creator_required
def endpoint_new(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = WebhookEndpointForm(request.POST or None)
    if form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(creator=creator, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Endpoint added. Copy its signing secret into your receiver.")
            )
            return redirect("creators:webhook", endpoint.public_id)
    return render(request, "dashboard/webhook_new.html", {"form": form})


@creator_required
def endpoint_detail(request: HttpRequest, endpoint_id: str, *, creator: Creator) -> HttpResponse:
    endpoint = _endpoint_or_404(creator, endpoint_id)
    initial = {"url": endpoint.url, "events": endpoint.events, "description": endpoint.description}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.webhook_endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("creators:webhook", endpoint.public_id)
    deliveries = selectors.webhook_deliveries_of(creator=creator, endpoint=endpoint)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "form": form, "page": page}
    return render(request, "dashboard/webhook_detail.html", context)


@require_POST
@creator_required
def endpoint_toggle(request: HttpRequest, endpoint_id: str, *, creator: Creator) -> HttpResponse:
    endpoint = _endpoint_or_404(creator, endpoint_id)
    active = request.POST.get("active") == "1"
    services.webhook_endpoint_set_active(endpoint=endpoint, active=active)
    if active:
        messages.success(request, _("Endpoint enabled: pending events will be delivered."))
    else:
        messages.success(request, _("Endpoint disabled: no events are sent to it."))
    return redirect("creators:webhook", endpoint.public_id)


@require_POST
@creator_required
def endpoint_delete(request: HttpRequest, endpoint_id: str, *, creator: Creator) -> HttpResponse:
    services.webhook_endpoint_delete(endpoint=_endpoint_or_404(creator, endpoint_id))
    messages.success(request, _("Endpoint deleted, with its delivery log."))
    return redirect("creators:webhooks")


@require_POST
@creator_required
def delivery_redeliver(
    request: HttpRequest, endpoint_id: str, delivery_id: int, *, creator: Creator
) -> HttpResponse:
    endpoint = _endpoint_or_404(creator, endpoint_id)
    delivery = selectors.webhook_delivery_of(
        creator=creator, endpoint=endpoint, delivery_id=delivery_id
    )
    if delivery is None:
        raise Http404
    try:
        services.webhook_delivery_redeliver(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent again; its result is in the log below."))
    return redirect("creators:webhook", endpoint.public_id)
