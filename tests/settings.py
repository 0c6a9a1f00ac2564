"""Test settings: the project's settings with a Redis database of the tests' own."""

import os

# Keep test tasks away from a `make run` on the same Redis server, and this run's channel
# groups away from any other run (pub/sub ignores the database number). Worker and daphne
# processes started by the tests inherit both through the environment.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"test{os.getpid()}")

from dde_site.settings import *  # noqa: F403

# WhiteNoise warns on every request when the collected-static folder does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Password hashing at the production work factor costs a fifth of a second per user or
# login, and no test is about the work factor: the tests (and the processes they start
# with these settings) hash with the fast MD5 hasher. Production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
