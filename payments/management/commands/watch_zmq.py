from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chain.zmq import ZmqSubscriber
from payments.onchain.zmq_follow import BLOCKS, MEMPOOL, follow
from payments.tasks import watch_chain, watch_mempool


class Command(BaseCommand):
    help = (
        "Follow Bitcoin Core's ZMQ notifications (BITCACHE_BITCOIND_ZMQ) and scan blocks and "
        "the mempool the moment Core announces them. Runs until interrupted."
    )

    def handle(self, *args, **options):
        if settings.BITCACHE_CHAIN_SOURCE != "bitcoind":
            raise CommandError(
                "ZMQ notifications come from Bitcoin Core: set BITCACHE_CHAIN_SOURCE=bitcoind."
            )
        if not settings.BITCACHE_BITCOIND_ZMQ:
            raise CommandError(
                "Set BITCACHE_BITCOIND_ZMQ to Core's -zmqpubrawtx/-zmqpubhashblock endpoint(s), "
                "e.g. tcp://127.0.0.1:28332."
            )
        subscriber = ZmqSubscriber(settings.BITCACHE_BITCOIND_ZMQ)
        self.stdout.write(f"following {', '.join(settings.BITCACHE_BITCOIND_ZMQ)}")
        try:
            follow(
                subscriber, {BLOCKS: watch_chain, MEMPOOL: watch_mempool}, keep_going=lambda: True
            )
        except KeyboardInterrupt:
            pass
        finally:
            subscriber.close()
