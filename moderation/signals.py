from django.dispatch import Signal

# Sent inside the transaction that hides a tip's message (services.tip_message_hide), with
# kwargs `tip`: whatever shows messages live (stream overlays) takes it back there too.
tip_message_hidden = Signal()
