"""The viewers' wing: from a committed batch to every open match centre.

``broadcast`` is the browsers' wire contract (message shapes, docs/live-protocol.md) and
publishes a stored batch to the fixture's Redis group; ``fanout`` reads each group once per
web process and hands every event to its viewers; ``consumers`` are the websocket
endpoints; ``snapshots`` are the queries a viewer's first message and catch-up are built
from.
"""
