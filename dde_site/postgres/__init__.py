"""Django's Postgres backend with a cheaper check of pooled connections (``base``)."""
