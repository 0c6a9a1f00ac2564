"""Test settings: the project's settings with a Redis database of the tests' own."""

import os

# Keep test tasks away from a `make run` on the same Redis server, and this run's channel
# groups away from any other run (pub/sub ignores the database number). Worker and web
# processes started by the tests inherit both through the environment.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"test{os.getpid()}")
# Celery's queues too: a worker that another run started (another checkout's code) must
# not take this run's tasks, and this run's purge must not empty another's queue.
os.environ.setdefault("TEST_CELERY_KEY_PREFIX", f"test{os.getpid()}:")
# The vendor's rate limit (5/s) would slow every test that starts many listeners; the
# tests of the limit itself set it back (tests/feed/test_rate_limit.py).
os.environ.setdefault("DDE_RATE_LIMIT_PER_SECOND", "1000")

from dde_site.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": os.environ["TEST_CELERY_KEY_PREFIX"],
}

# WhiteNoise warns on every request when the collected-static folder does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Password hashing at the production work factor costs a fifth of a second per user or
# login, and no test is about the work factor: the tests (and the processes they start
# with these settings) hash with the fast MD5 hasher. Production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
