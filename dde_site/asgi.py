"""ASGI entry point (served by uvicorn, ``python -m dde_site.processes web``): HTTP through
Django, websockets through Channels, and the lifespan of the server process."""

import gc
import os

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")

# Django must be set up before the consumers (and through them, the models) are imported.
django_asgi_app = get_asgi_application()

from streams.viewers.consumers import websocket_routes  # noqa: E402
from streams.viewers.lifespan import lifespan  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Browsers send Origin; only pages served from ALLOWED_HOSTS may open a socket.
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_routes())),
        "lifespan": lifespan,
    }
)

# The modules loaded so far (Django, DRF, Channels, ours: about 160,000 objects) live as
# long as the process. Left to the collector, every full collection walks them all: about
# 100 ms here, every few dozen API pages, which was the p99 of a paged export and would
# stall every viewer's websocket for as long. Load the URLconf (views, DRF, the schema
# tools) now, then freeze what is there so that collections only look at newer objects.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
