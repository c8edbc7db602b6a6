"""Settings for `make run` and development: DEBUG on, console email."""

from bitcache.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
