from django.dispatch import Signal

# A tip's status moves are not signals but outbox rows (payments.events), read after
# commit by registered listeners, so a worker killed after the commit loses none.

# Sent inside the crediting transaction whenever a tip's status or totals change:
# kwargs `tip`. A top-up that leaves the status as it was still changes the totals,
# which paid unlocks need to see. Receivers run in the watcher's transaction, so
# what they write commits (or not) with the credit itself; they must stay small.
tip_credited = Signal()

# Sent before a tip is created, with kwargs `message`: a receiver returns True when the
# message must wait for review before it is shown. Moderation's word list answers it;
# payments does not need to know who screens.
tip_message_screen = Signal()
