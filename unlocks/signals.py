from django.dispatch import Signal

# Sent inside the crediting transaction when a purchase first unlocks (its grant was
# made): kwargs `grant`. Webhooks (`unlock.paid`) listen to it and write their delivery
# rows in that transaction, so a worker killed after the commit loses no sale.
unlock_paid = Signal()
