"""The ASGI lifespan of a web process: nothing to prepare, subscriptions to end.

uvicorn runs it around the process's life. At shutdown the viewers' sockets have been
closed (a browser resumes by position from another process), and the fan-out's group
subscriptions are ended here so Redis drops them at once rather than when the process's
connections die.
"""

from __future__ import annotations

from typing import Any

from streams.viewers import fanout


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await fanout.close_all()
            await send({"type": "lifespan.shutdown.complete"})
            return
