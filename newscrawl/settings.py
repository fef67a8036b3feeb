"""The one place for newscrawl's settings. Project settings are prefixed ``NEWSCRAWL_``.

Every setting can be overridden on the command line (``-s NAME=VALUE``) or through Scrapyd's
``schedule.json`` (``setting=NAME=VALUE``). The README lists them all.
"""

from __future__ import annotations

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
# Our commands: `crawl` (Scrapy's, but exits non-zero when the run failed) and `snapshot` (the
# latest version of every article as one JSON Lines or Parquet file).
COMMANDS_MODULE = "newscrawl.commands"

# --- Project settings ------------------------------------------------------------------------
# Output root; the dataset, rejects, run manifests and de-duplication state live below
# <NEWSCRAWL_DATA_DIR>/<spider>/. Relative paths resolve against the working directory: use an
# absolute path in production (cron, Scrapyd).
NEWSCRAWL_DATA_DIR = "data"
# Serve every request from this replay archive (folder with manifest.jsonl); never touch the network.
NEWSCRAWL_REPLAY_DIR = ""
# Record every response of a live crawl into this folder, in the replay archive format.
NEWSCRAWL_RECORD_DIR = ""
# Default feeds, in provenance order (an article's `feed` is the first of these that lists it).
# The spider argument `-a feeds=URL[,URL...]` replaces the list.
NEWSCRAWL_FEEDS = [
    "https://www.rfi.fr/cn/rss",
    "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/rss",  # 中国
    "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/rss",  # 国际
    "https://www.rfi.fr/cn/%E6%B3%95%E5%9B%BD/rss",  # 法国
    "https://www.rfi.fr/cn/%E6%B8%AF%E6%BE%B3%E5%8F%B0/rss",  # 港澳台
    "https://www.rfi.fr/cn/%E4%BA%9A%E6%B4%B2/rss",  # 亚洲
    "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/rss",  # 政治
    "https://www.rfi.fr/cn/%E7%BB%8F%E8%B4%B8/rss",  # 经贸
    "https://feedx.net/rss/rfi.xml",  # third-party full-text mirror (rescues refused pages)
]
# Fetch www.rfi.fr pages from another origin (scheme://host[:port], e.g. "http://127.0.0.1:8080")
# while keeping the canonical https://www.rfi.fr URLs in the records. For tests against a local
# server only; anything but a bare origin fails the run.
NEWSCRAWL_FETCH_ORIGIN = ""
# Listings read beside the feeds (README "Sitemaps, catch-up and back-fill"): sitemaps, and robots.txt
# files whose `Sitemap:` lines name more (only maps under /sitemaps/cn/ on www.rfi.fr are kept). After
# the feeds in provenance order. `-a sitemaps=URL[,URL...]` replaces the list; `-a sitemaps=` turns them off.
NEWSCRAWL_SITEMAPS = ["https://www.rfi.fr/sitemaps/cn/news.xml", "https://www.rfi.fr/robots.txt"]
# When the last finished run started longer ago than the news sitemap's two days (or there is none),
# the run also reads the monthly contents sitemaps that cover the gap, at most this many days back
# (whole days; 0: no automatic catch-up). `-a since=YYYY-MM-DD` back-fills from that day, unbounded.
NEWSCRAWL_BACKFILL_MAX_DAYS = 31
# Most <url>/<sitemap> elements read from one sitemap document (more is reported as its problem).
NEWSCRAWL_SITEMAP_MAX_URLS = 10000
# Freeze the run's clock at this RFC 3339 time (e.g. "2024-04-02T06:00:00Z"): fetched_at, the run id
# and date folders, the catch-up horizon. Empty: the real clock. For tests and the simulated site.
NEWSCRAWL_NOW = ""
# Re-fetch refused pages (403, 503, 429 after the retries) and challenge/empty shells with headless
# Chromium through scrapy-playwright (docs/browser.md). Off → such pages go straight to the
# feed-only path, and scrapy-playwright is not even loaded.
NEWSCRAWL_BROWSER_FALLBACK = True
# Chromium binary (Debian's package by default). The environment variable of the same name
# overrides this line; a -s setting overrides both. Not found → a warning, and no browser.
NEWSCRAWL_BROWSER_EXECUTABLE = "/usr/bin/chromium"
# Browser pages open at once over the whole crawl (and PLAYWRIGHT_MAX_PAGES_PER_CONTEXT).
NEWSCRAWL_BROWSER_MAX_PAGES = 2
# Pages per browser context: then the context (cookies, cache, its memory) is closed once its
# last page is done, and the next browser request opens a fresh one.
NEWSCRAWL_BROWSER_PAGES_PER_CONTEXT = 20
# Seconds a browser page's scripts get to show an article (a challenge to pass, a body to build)
# before the page is taken as it is.
NEWSCRAWL_BROWSER_SETTLE_TIMEOUT = 10.0
# Longest Retry-After (seconds) we honour; a longer one ends the retries for that request at once.
NEWSCRAWL_RETRY_AFTER_MAX = 120
# Back-off between retries without Retry-After: base * 2**(attempt-1) seconds, capped.
NEWSCRAWL_RETRY_BACKOFF_BASE = 2.0
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0
# Revisits of articles already in the dataset (README "Versions, revisits and removals"). An article is
# fetched again at each of these ages after its publication (a list of durations; empty: only when a
# listing says it changed), and whenever a sitemap <lastmod> or a feed's updated date is later than
# the run that last checked it. Revisits are conditional requests (If-None-Match/If-Modified-Since).
NEWSCRAWL_REVISIT_AGES = "1h,6h,24h,7d"
# Most revisits per run, oldest due first; the others wait for the next run (nothing is dropped); 0: none.
NEWSCRAWL_REVISIT_MAX_PER_RUN = 100
# A page answering 404/410 (or redirecting to a page that is not an article) is published as removed
# (a tombstone) only when two runs at least this far apart found it so (a duration).
NEWSCRAWL_REMOVAL_CONFIRM_AFTER = "6h"
# How many lost/skipped entries the run manifest lists by URL (the counts are always complete).
NEWSCRAWL_MANIFEST_MAX_LISTED = 500

# --- Many processes sharing one Redis (README "Running on several machines") --------------------
# redis://[:password@]host[:port][/db], rediss://… for TLS. Set → every process of this spider on
# that Redis shares the frontier, the seen-store and the request rate (newscrawl.fleet). Empty →
# the environment variable of the same name; empty too → a single-machine run (nothing needs Redis).
NEWSCRAWL_REDIS_URL = ""
# How long a claimed article or a leased request lives without its process's heartbeat: after a
# process dies, its requests go back to the queue this long after its last heartbeat.
NEWSCRAWL_REDIS_LEASE = "10m"
# Requests per second to www.rfi.fr over all the processes (0 = no global limit), on top of each
# process's DOWNLOAD_DELAY/AutoThrottle. Only with NEWSCRAWL_REDIS_URL.
NEWSCRAWL_GLOBAL_RATE = 1.0
# --- Run health: monitors, alerts, report (README "Run health") --------------------------------
# At the end of every run a Spidermon suite judges it against earlier runs; the verdict goes into
# the manifest ("health") and the log (one WARNING per failed monitor). Shares are 0..1.
# History: the last N finished runs (and the last N finished runs at the same UTC hour of day).
NEWSCRAWL_HEALTH_HISTORY = 20
# Runs needed before a run is compared with history at all (fewer: only the absolute limits).
NEWSCRAWL_HEALTH_MIN_HISTORY = 3
# Shares and rates are judged only over at least this many records / articles (1 lost of 3 says
# little).
NEWSCRAWL_HEALTH_MIN_RECORDS = 5
# new_articles: fail when a run publishes fewer than this share of the usual number (median of the
# history at the same hour of day, else of the last runs)...
NEWSCRAWL_HEALTH_NEW_MIN_SHARE = 0.25
# ...and so few would happen by chance less often than this (a Poisson count with the usual number
# as its mean): 0 articles where 3 are usual happens every 20th run, and is no alarm.
NEWSCRAWL_HEALTH_NEW_CHANCE = 0.001
# A run without any history (first run on a data dir) must publish at least this many articles.
NEWSCRAWL_HEALTH_NEW_FLOOR = 1
# field_coverage: floors per field (share of published records that have a value), always
# applied; a JSON object on the command line, e.g. -s 'NEWSCRAWL_HEALTH_COVERAGE_MIN={"body": 0.95}'
# (it replaces this dict). Fields: title lead body authors tags section published modified images
# media alternates.
NEWSCRAWL_HEALTH_COVERAGE_MIN = {"title": 0.95, "body": 0.9, "published": 0.8}
# ...and fail when a field's share falls more than this below its share in the history.
NEWSCRAWL_HEALTH_COVERAGE_DROP = 0.3
# field_sources: per field, the share of pages that took it from the generic fallback or the URL
# (instead of JSON-LD, meta or the DOM): the first sign of a template change. Fail above this...
NEWSCRAWL_HEALTH_FALLBACK_MAX = 0.5
# ...or when it rises more than this above its share in the history.
NEWSCRAWL_HEALTH_FALLBACK_RISE = 0.3
# Rates over the run's new articles (published + rejected + lost): ceilings for lost, rejected
# (schema), sent to the browser, and refused by the site over HTTP (403, 429, 503)...
NEWSCRAWL_HEALTH_MAX_LOST = 0.25
NEWSCRAWL_HEALTH_MAX_REJECTED = 0.05
NEWSCRAWL_HEALTH_MAX_BROWSER = 0.5
NEWSCRAWL_HEALTH_MAX_REFUSED = 0.5
# ...and the largest rise of any of them above its rate in the history.
NEWSCRAWL_HEALTH_RATE_RISE = 0.2
# log_errors: ERROR lines the crawl's log may have before the run is unhealthy.
NEWSCRAWL_HEALTH_MAX_LOG_ERRORS = 0
# Exit status 3 from `scrapy crawl` when the run is unhealthy (a failed run exits 1 anyway), so
# cron mail or a scheduler shows it. Off: an unhealthy run that finished exits 0.
NEWSCRAWL_FAIL_ON_UNHEALTHY = False
# Alerts go out when health changes, once per NEWSCRAWL_ALERT_REPEAT while it stays bad (a
# duration: seconds or <n>s|m|h|d), and once when it recovers. No recipient and no webhook: none.
NEWSCRAWL_ALERT_REPEAT = "6h"
# E-mail recipients (comma-separated) and sender (default newscrawl@<this host's name>).
NEWSCRAWL_ALERT_EMAIL_TO = ""
NEWSCRAWL_ALERT_EMAIL_FROM = ""
# SMTP server. These five may also come from environment variables of the same names (a -s
# setting beats the environment, which beats this file): keep the password out of this file.
# TLS: "starttls" (port 587 by default), "ssl" (465) or "off" (25; a local relay). Port 0 = that default.
NEWSCRAWL_ALERT_SMTP_HOST = "localhost"
NEWSCRAWL_ALERT_SMTP_PORT = 0
NEWSCRAWL_ALERT_SMTP_TLS = "starttls"
NEWSCRAWL_ALERT_SMTP_USER = ""
NEWSCRAWL_ALERT_SMTP_PASSWORD = ""
# Webhook URL that gets a JSON POST {"text": ..., "newscrawl": {...}}: a Slack or Mattermost
# incoming webhook shows the text. The manifest records only whether it is set (it is a secret).
NEWSCRAWL_ALERT_WEBHOOK = ""
# report.html (under the data dir, rebuilt after every run; `scrapy report` builds it on demand)
# covers the runs of this many days, ending with the day of the newest run.
NEWSCRAWL_REPORT_DAYS = 30
# Rebuild report.html at the end of every run (tens of ms of CPU: reading the period's records, the page). Off: the
# monitors and alerts still run; build the report with `scrapy report` when someone looks at it.
NEWSCRAWL_REPORT_AFTER_RUN = True

# --- Politeness (docs/browser.md) ---------------------------------------------------------------
# The User-Agent names the project; NEWSCRAWL_CONTACT (an e-mail address or URL of whoever runs
# the crawler) is appended to it as "(contact: ...)" on every request. Set it in production.
USER_AGENT = "newscrawl/1.0 (+https://github.com/newscrawl/newscrawl; news archive crawler)"
NEWSCRAWL_CONTACT = ""
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
# One request at a time per host, DOWNLOAD_DELAY seconds apart (Scrapy randomises it, 0.5-1.5x);
# AutoThrottle adapts the delay to the host's response times, never below DOWNLOAD_DELAY nor above
# AUTOTHROTTLE_MAX_DELAY.
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Items processed in parallel per response. Our callbacks yield at most one item or request,
# and Scrapy starts this many worker tasks for every response: 100 (the default) costs ~8% CPU.
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Retries (newscrawl.downloader.retry.PoliteRetryMiddleware): at most RETRY_TIMES per request, after the
# server's Retry-After (up to NEWSCRAWL_RETRY_AFTER_MAX) or an exponential back-off.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Scrapy's list without CannotResolveHostError: a host that does not resolve is not retried, so a
# crawl without network ends at once (and the next scheduled run tries again).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
# Bounds on any one response: time and size (feeds and pages are untrusted input).
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Components ---------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Refuses any request outside the configured feeds and www.rfi.fr (redirects included).
    "newscrawl.downloader.hostguard.HostGuardMiddleware": 40,
    # A host that does not resolve or refuses connections: one ERROR line, then given up (before
    # RobotsTxt, 100, so that its robots.txt fails quietly too; after Retry, 550, on exceptions).
    "newscrawl.downloader.reachability.UnreachableHostMiddleware": 50,
    # One robots.txt request per run: Scrapy's robots middleware (100) and the sitemap listing share it.
    "newscrawl.downloader.robots_once.RobotsTxtOnce": 60,
    # USER_AGENT plus NEWSCRAWL_CONTACT, on every request (the browser's too).
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newscrawl.downloader.useragent.ContactUserAgentMiddleware": 500,
    # Replay/record sit below HttpCompression (590) so that recorded bodies are decompressed,
    # and above RobotsTxt (100) so robots.txt is obeyed in replay too.
    "newscrawl.downloader.replay.ReplayMiddleware": 585,
    "newscrawl.downloader.replay.RecordMiddleware": 586,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.downloader.retry.PoliteRetryMiddleware": 550,
    # Sends the requests the spider marks through the browser (live browser mode only). Its
    # process_response runs before Record, Redirect and Retry see the browser's final status.
    "newscrawl.downloader.browser.BrowserFallbackMiddleware": 650,
    # Counts requests by role and 304 answers (run stats, for the health report), just above the replay.
    "newscrawl.run.counters.RequestCounter": 584,
}
ITEM_PIPELINES = {
    "newscrawl.pipelines.complete.CompletePipeline": 100,
    "newscrawl.pipelines.validate.ValidatePipeline": 200,
    "newscrawl.pipelines.deduplicate.DeduplicatePipeline": 300,
}
EXTENSIONS = {
    # The run: identity, data-dir lock, accounting from signals, manifest, seen-store commit.
    "newscrawl.run.extension.Run": 0,
    # Which fields each published record has (field coverage, for the health monitors).
    "newscrawl.run.counters.FieldCoverageCounter": 100,
    # Health monitors (Spidermon) at spider close, alerts, and report.html after the manifest.
    "newscrawl.health.extension.RunHealth": 200,
    # The garbage collector set for a crawl: the start-up heap frozen, young collections less often.
    "newscrawl.run.collection.CrawlGarbageCollection": 300,
}
# With NEWSCRAWL_REDIS_URL, the fleet's scheduler, extension, rate and storage; otherwise nothing.
ADDONS = {"newscrawl.fleet.addon.FleetAddon": 0}

# --- Output ---------------------------------------------------------------------------------------
FEED_STORAGES = {
    "file": "newscrawl.store.feed_storage.AtomicFileFeedStorage",
    "": "newscrawl.store.feed_storage.AtomicFileFeedStorage",
}
FEED_URI_PARAMS = "newscrawl.run.extension.feed_uri_params"
FEEDS = {
    "%(data_dir)s/%(name)s/articles/%(run_date)s/%(run_id)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "store_empty": False,
    },
}
FEED_EXPORT_ENCODING = "utf-8"
# Records written by orjson (same JSON, UTF-8, no \u escapes; about 6 µs a record against 40 for Scrapy's exporter).
FEED_EXPORTERS = {"jsonlines": "newscrawl.store.exporter.RecordLinesExporter"}

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
# Scrapy re-reads and re-parses a generator callback's source whenever its small cache of
# callbacks misses (~1 ms for parse_article, tens of times a run) to warn about `return value`
# in a generator; ruff's B901 checks that once, in the linter (pyproject.toml).
WARN_ON_GENERATOR_RETURN_VALUE = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
