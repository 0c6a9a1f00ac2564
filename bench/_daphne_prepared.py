"""daphne with each websocket text framed once for all the connections it goes to.

An option of bench/live.py, not something the product runs. The fan-out
(``streams.viewers.fanout``) hands the same ``str`` object to every viewer of a group, so
the last text sent is kept with its prepared frame (autobahn's ``prepareMessage``) and the
next connection that sends the very same object sends the prepared frame instead of
encoding and framing it again. Everything else is daphne's own command line.
"""

from __future__ import annotations

from typing import Any

from daphne.cli import CommandLineInterface
from daphne.ws_protocol import WebSocketProtocol

_last: list[Any] = [None, None]  # [text, prepared frame]


def server_send(self: WebSocketProtocol, content: Any, binary: bool = False) -> None:
    if self.state == self.STATE_CONNECTING:
        self.serverAccept()
    if binary:
        self.sendMessage(content, binary)
        return
    if _last[0] is not content:
        _last[0] = content
        _last[1] = self.factory.prepareMessage(content.encode("utf8"), False)
    self.sendPreparedMessage(_last[1])


WebSocketProtocol.serverSend = server_send

if __name__ == "__main__":
    CommandLineInterface.entrypoint()
