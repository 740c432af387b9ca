"""A ``Server-Timing`` header on every response: the time the app spent on the request, in milliseconds.
Browsers show it in their developer tools; ``kg bench`` reads it to separate server time from the network."""

from __future__ import annotations

import time

from flask import Blueprint, g
from werkzeug.wrappers import Response

bp = Blueprint("timing", __name__)


@bp.before_app_request
def start_clock() -> None:
    g.kg_started = time.perf_counter()


@bp.after_app_request
def add_server_timing(response: Response) -> Response:
    started = g.get("kg_started")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
    return response
