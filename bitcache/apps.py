from django.apps import AppConfig


class BitcacheConfig(AppConfig):
    name = "bitcache"
    verbose_name = "Bitcache"
