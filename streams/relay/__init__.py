"""The relay: this product's stored feed served to downstream systems in the vendor's own
protocol, so that a client written for the DDE Live Actions websocket changes only its base
URL (docs/relay.md).

``server`` is the port (websocket paths and the REST twin), ``session`` one client,
``log`` one fixture's packets shared by its clients, ``store`` the reads from Postgres,
``protocol`` the vendor's texts. Run it with ``python -m dde_site.processes relay``.
"""
