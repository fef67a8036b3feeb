"""Downloader middlewares, in the order a request meets them: host guard (only configured feeds and
www.rfi.fr), unreachable hosts (named once, then given up), one robots.txt request per run, the
contact User-Agent, polite retries
(Retry-After, back-off, through Scrapy's ``get_retry_request``), replay/record of archives, and the
headless-browser fallback through scrapy-playwright.

May import ``newscrawl.config`` (settings) and ``newscrawl.discovery.urls`` (the site's origin);
never ``run``, ``store``, ``pipelines``, ``extract`` or ``spiders``.
"""
