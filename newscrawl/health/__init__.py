"""Run health: monitors that judge each run against earlier runs, alerts, and the HTML report.

- ``config``: the ``NEWSCRAWL_HEALTH_*`` / ``NEWSCRAWL_ALERT_*`` / ``NEWSCRAWL_REPORT_*`` settings,
  parsed with ``newscrawl.config``'s parsers (the crawl command checks them before the crawl).
- ``measures``: pure functions that read one run manifest (its counts, feeds and sources, stats):
  published articles, field coverage, field sources, rates, listings, requests. Monitors and the
  report both use them, so the two never disagree.
- ``monitors``: the checks (pure functions) and the Spidermon suite that wraps them.
- ``alerts``: e-mail (SMTP) and webhook messages, sent only when health changes, stays bad for
  ``NEWSCRAWL_ALERT_REPEAT``, or recovers (state file under the data dir).
- ``report_data``, ``charts`` and ``report``: ``report.html``, one self-contained page with charts
  (Altair is imported only when a report is built).
- ``extension``: ``RunHealth``, which judges, alerts and rebuilds the report at the end of a crawl.

What a run counts for them (requests by role, field coverage) and the reading of earlier runs
are the run's own business: ``newscrawl.run.counters`` and ``newscrawl.run.history``. Health
reads manifests, the runs' article files and the crawler's stats; it imports ``run`` and pure
helpers (``config``, ``extract.dates``, ``store.atomic``), nothing from spiders, pages or discovery,
and nothing imports it but the crawl and report commands.
"""
