"""One crawl run, as a Scrapy extension driven by signals; one job per module:

- ``clock``: the run's time, real or frozen by NEWSCRAWL_NOW;
- ``identity``: the run's id, start time and folders;
- ``history``: earlier runs, from their manifests (when the last finished one started);
- ``lock``: the data dir's lock, and the recovery of runs that died holding it;
- ``outcomes``: what sources, the spider and pipelines tell the run (the public surface);
- ``accounting``: listing sources and entry outcomes, counted from signals; the equation;
- ``publication``: claims and aliases, committed to the seen-store once the dataset is stored;
- ``rejects``: the ``rejects/<date>/<run_id>.jsonl`` file the checking pipelines write to;
- ``manifest``: the ``runs/<run_id>.json`` file;
- ``extension``: ``Run``, which ties them together from ``spider_opened`` to ``engine_stopped``.

How a discovery source counts (nothing else is needed; the rest is counted from Scrapy's signals):
``Run.of(crawler).accounting.record_source(ListingSource(url, kind, status, ...))`` once per listing
document (its ``entries`` count as seen), ``report_outcome(crawler, kind, reason, url=...)`` for an
entry decided without a request (merged, skipped, already published, lost), and
``meta[ENTRY_REQUEST] = listing_url`` on the one request that stands for an entry's outcome.

May import ``store``, ``items`` and ``extract`` helpers (dates, text); nothing imports ``run`` but the pipelines,
spiders and commands.
"""
