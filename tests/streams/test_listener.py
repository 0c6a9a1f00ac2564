"""Moved to tests/feed/test_listener.py; ``wait_for`` is in tests/support/waiting.py.

Kept only so that tests/ops/test_metrics.py, which imports ``wait_for`` from here, still
imports while it is being changed on another branch: delete this once it imports
``from tests.support.waiting import wait_for``. No tests here.
"""

from tests.support.waiting import wait_for

__all__ = ["wait_for"]
