"""The add-on that switches a crawl to shared state (``ADDONS`` in settings.py).

Without ``NEWSCRAWL_REDIS_URL`` (setting or environment) it changes nothing: a single-machine run
stays exactly as it was and nothing imports Redis. With it, it installs the fleet's pieces:

- ``SCHEDULER``: :class:`~newscrawl.fleet.scheduler.FleetScheduler` (local + shared frontier), with
  the JSON request schema as scrapy-redis's ``SCHEDULER_SERIALIZER``;
- the :class:`~newscrawl.fleet.extension.Fleet` extension, built before the run extension so that
  the run opens the Redis seen-store and takes the data dir's lock shared;
- the global rate: the http(s) download handlers wrapped (the wrapped ones are remembered), and
  the shared pause after 429 (a downloader middleware after the retry middleware);
- ``FEED_STORAGES``: the dataset file is published only after the run's claims were checked.

Settings the project does not set have the add-on's priority (a ``-s`` still wins). The dataset
storage and the download handlers replace whatever is set, at that setting's own priority: a
storage without the claim check could publish an article twice, and a handler without the rate
would let this process ignore the fleet's limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl.config import non_negative_number, positive_duration, read, shared_redis_url

if TYPE_CHECKING:
    from scrapy.settings import Settings

PRIORITY = "addon"
FLEET_EXTENSION_ORDER = -10  # before the run extension (0): see the Fleet's spider_opened
PAUSE_MIDDLEWARE_ORDER = 560  # after the retry middleware (550) on the way back: sees the 429 first
RATE_HANDLERS = {
    "http": "newscrawl.fleet.rate.GlobalRateHttpHandler",
    "https": "newscrawl.fleet.rate.GlobalRateHttpsHandler",
}
FEED_STORAGE = "newscrawl.fleet.feed_storage.ClaimCheckedFeedStorage"


class FleetAddon:
    def update_settings(self, settings: Settings) -> None:
        if shared_redis_url(settings) is None:
            return
        # The crawl command checked these before the crawler existed; other entry points learn here.
        read(settings, "NEWSCRAWL_REDIS_LEASE", positive_duration)
        read(settings, "NEWSCRAWL_GLOBAL_RATE", non_negative_number)
        settings.set("SCHEDULER", "newscrawl.fleet.scheduler.FleetScheduler", PRIORITY)
        settings.set("SCHEDULER_SERIALIZER", "newscrawl.fleet.request_json", PRIORITY)
        # Imported only now: a single-machine run never imports Redis.
        from newscrawl.fleet.extension import Fleet
        from newscrawl.fleet.rate import SharedPauseMiddleware

        settings.set_in_component_priority_dict("EXTENSIONS", Fleet, FLEET_EXTENSION_ORDER)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", SharedPauseMiddleware, PAUSE_MIDDLEWARE_ORDER)
        from newscrawl.fleet.rate import INNER_HANDLERS

        handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
        settings.set(INNER_HANDLERS, {scheme: handlers[scheme] for scheme in RATE_HANDLERS}, PRIORITY)
        overrule(settings, "DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"), **RATE_HANDLERS})
        overrule(settings, "FEED_STORAGES", {"file": FEED_STORAGE, "": FEED_STORAGE})


def overrule(settings: Settings, name: str, value: object) -> None:
    """Set ``name`` whoever set it before (at its own priority, which ``set`` then replaces)."""
    settings.set(name, value, max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES[PRIORITY]))
