"""Many crawl processes, on one or several machines, sharing one Redis: the request frontier
(scrapy-redis queue with leases), the seen-store's claims, the global request rate, and each
process's heartbeat. Switched on by ``NEWSCRAWL_REDIS_URL``; without it nothing here is loaded
and nothing needs Redis.

May import ``store``, ``discovery``, ``downloader`` and ``run``; only the spider, the settings
(through the add-on) and the commands import ``fleet``.
"""
