from django.contrib import admin

from .models import ProviderCircuit, Rate


@admin.register(Rate)
class RateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate", "sources", "fetched_at")
    ordering = ("currency",)


@admin.register(ProviderCircuit)
class ProviderCircuitAdmin(admin.ModelAdmin):
    list_display = ("provider", "consecutive_failures", "open_until", "last_error")
