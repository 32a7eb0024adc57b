"""/static/ served by the portal itself, with the security headers every page gets.

Django's ASGIStaticFilesHandler answers /static/ before the middleware stack runs, so its files
came without nosniff, CSP or HSTS. This handler runs the header middleware of the stack
(STATIC_HEADER_MIDDLEWARE: SecurityMiddleware, django-csp, X-Frame-Options) around the file, the
same classes with the same settings, so a header added to the pages is added here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

from core.asgi import Receive, Scope, Send


class SecureStaticFilesHandler(ASGIStaticFilesHandler):
    """ASGIStaticFilesHandler whose responses (404s included) pass the header middleware."""

    def __init__(self, application: Any) -> None:
        super().__init__(application)
        handler: Callable[[HttpRequest], Any] = convert_exception_to_response(super().serve)
        # Innermost last, as Django's BaseHandler.load_middleware builds the chain.
        for path in reversed(settings.STATIC_HEADER_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._serve_with_headers = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        """The ASGI application (typed as the portal's ASGI middleware expect it)."""
        await super().__call__(scope, receive, send)  # type: ignore[arg-type]

    def serve(self, request: HttpRequest) -> HttpResponseBase:  # type: ignore[override]
        """Serve the file (in the worker thread StaticFilesHandlerMixin runs this in)."""
        return self._serve_with_headers(request)
