"""ASGI entry point served by daphne: HTTP through Django, websockets through Channels."""

import os

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")

# Django must be set up before the consumers (and through them, the models) are imported.
django_asgi_app = get_asgi_application()

from streams.consumers import websocket_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Browsers send Origin; only pages served from ALLOWED_HOSTS may open a socket.
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_routes())),
    }
)
