"""Why a request failed, in the few stable words that stats, outcomes and the manifest count."""

from __future__ import annotations

from scrapy.exceptions import (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from newscrawl.downloader.browser import BrowserFailure
from newscrawl.downloader.hostguard import OffsiteRequestRefused
from newscrawl.downloader.reachability import HostUnreachable
from newscrawl.downloader.retry import RETRY_AFTER_REFUSED

# The statuses that say a page (or a sitemap) is gone, not that the site failed.
GONE_STATUSES = frozenset({404, 410})


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short, stable reason for a failed request (used in stats and the manifest)."""
    if failure.check(HttpError):
        response = failure.value.response  # type: ignore[union-attr]
        status = int(response.status)
        if response.meta.get(RETRY_AFTER_REFUSED) is not None:
            return "retry_after_too_long", status
        return f"http_{status}", status
    if failure.check(BrowserFailure):
        return failure.value.reason, None  # type: ignore[union-attr]
    if failure.check(OffsiteRequestRefused):
        return "offsite_redirect", None
    if failure.check(HostUnreachable):
        return str(failure.value), None
    if failure.check(IgnoreRequest):
        return "ignored", None
    return type(failure.value).__name__, None


_TIMEOUTS = (DownloadTimeoutError, TwistedTimeoutError, TimeoutError)
_CONNECTION_ERRORS = (
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
    ResponseNeverReceived,
    ConnectError,
    ConnectionDone,
    ConnectionLost,
)


def revisit_failure_reason(failure: Failure) -> str:
    """Why a revisit could not be made, in the few words the manifest counts (never a removal)."""
    if failure.check(*_TIMEOUTS):
        return "timeout"
    if failure.check(*_CONNECTION_ERRORS):
        return "connection"
    if failure.check(IgnoreRequest) and str(failure.value).startswith("Forbidden by robots.txt"):
        return "robots"
    if failure.check(HostUnreachable):
        return "unreachable"
    return failure_reason(failure)[0]
