"""Structured logging: readable lines in development, one JSON object per line otherwise."""

import logging.config
from typing import Any

import structlog

from dde_site.redaction import redact


def configure_logging(*, level: str, json: bool) -> None:
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        # A plain traceback as text, never with local variables (rich's
                        # would print them, the DDE token among them), and in JSON too.
                        structlog.processors.format_exc_info,
                        _redacting(renderer),
                    ],
                    "foreign_pre_chain": shared,
                },
            },
            "handlers": {
                "console": {"class": "logging.StreamHandler", "formatter": "structured"},
            },
            "root": {"handlers": ["console"], "level": level},
            "loggers": {
                "django.db.backends": {"level": "WARNING"},
                "websockets": {"level": "WARNING"},
                "httpx": {"level": "WARNING"},
                # Its version banner at every start; lockouts are warnings and still show.
                "axes.apps": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _redacting(renderer: structlog.typing.Processor) -> structlog.typing.Processor:
    """The renderer, with secrets taken out of the finished line (whatever key, repr or
    traceback they came in): the last guard, behind code that never logs them."""

    def render(logger: Any, method_name: str, event_dict: Any) -> Any:
        return redact(str(renderer(logger, method_name, event_dict)))

    return render
