"""Running it in production: /healthz, /metrics and what they read."""
