import pytest
from cryptography.fernet import Fernet

from web.sealing import SealBroken, reseal, seal, unseal

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_a_sealed_secret_opens_and_does_not_show_the_secret(settings):
    settings.BITCACHE_SEALING_KEYS = [OLD]

    token = seal("nwc-secret-0123456789abcdef")

    assert "0123456789abcdef" not in token
    assert unseal(token) == "nwc-secret-0123456789abcdef"


def test_keys_rotate_new_first_then_reseal_then_drop_the_old(settings):
    settings.BITCACHE_SEALING_KEYS = [OLD]
    token = seal("secret")

    settings.BITCACHE_SEALING_KEYS = [NEW, OLD]
    assert unseal(token) == "secret"
    resealed = reseal(token)

    settings.BITCACHE_SEALING_KEYS = [NEW]
    assert unseal(resealed) == "secret"
    with pytest.raises(SealBroken):
        unseal(token)


def test_a_tampered_value_is_refused(settings):
    settings.BITCACHE_SEALING_KEYS = [OLD]
    token = seal("secret")

    with pytest.raises(SealBroken):
        unseal(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
