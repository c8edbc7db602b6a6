from django.dispatch import Signal

# Sent after commit when a purchase first unlocks (its grant was made): kwargs `grant`.
# Webhooks (`unlock.paid`) listen to it.
unlock_paid = Signal()
