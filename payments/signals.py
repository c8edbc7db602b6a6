from django.dispatch import Signal

# Sent after commit when a tip's status changes: kwargs `tip`, `previous` (the old status).
# Webhooks and notifications listen to it.
tip_status_changed = Signal()
