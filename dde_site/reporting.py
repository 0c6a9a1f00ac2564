"""Error reports (the DEBUG page, AdminEmailHandler mails) that cannot show a secret."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from dde_site.redaction import redact


class SecretSafeReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also hiding a caller's Authorization header (an API key) and the
    service URLs, which may carry passwords."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTHORIZATION|_URL$", flags=re.I
    )


class SecretSafeExceptionReporter(ExceptionReporter):
    """Redacts the finished report: the filter only knows settings and request data by
    name, while a traceback's local variables or an exception message may hold the token
    under any name."""

    def get_traceback_html(self) -> Any:
        return redact(str(super().get_traceback_html()))

    def get_traceback_text(self) -> Any:
        return redact(str(super().get_traceback_text()))
