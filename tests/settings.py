"""Test settings: the project's settings with a Redis database of the tests' own."""

import os

# Keep test tasks and channel groups away from a `make run` on the same Redis server.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from dde_site.settings import *  # noqa: F403

# WhiteNoise warns on every request when the collected-static folder does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
