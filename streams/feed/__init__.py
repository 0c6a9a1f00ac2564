"""The feed wing: from the vendor's Live Actions websocket into Postgres.

``dispatch`` decides which fixtures need a listener and hands them to Celery; ``locks``
makes sure only one listener in the cluster follows a fixture; ``listener`` follows one
fixture's feed on the process's ``loop``; ``lifecycle`` writes every ``listener_*`` column
of a fixture; ``writer`` stores a batch of arrivals (``rules`` says what a packet does to
its action and fixture, ``statement`` is the one SQL statement that writes them); and
``importing`` brings fixtures from the vendor's REST API. Nothing here imports the viewers'
wing: a stored batch is handed over as the value types of ``streams.stored``.
"""
