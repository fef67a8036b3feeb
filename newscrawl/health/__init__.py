"""Run health: monitors that judge each run against history, alerts, and the HTML report.

What lives here:
- ``config``: the ``NEWSCRAWL_HEALTH_*`` / ``NEWSCRAWL_ALERT_*`` / ``NEWSCRAWL_REPORT_*`` settings,
  read and checked once (a bad value names the setting).
- ``measures``: pure functions that read one run manifest (its counts, feeds, stats): published
  articles, field coverage, field sources, rates, listings, requests. Monitors and the report
  both use them, so the two never disagree.
- ``history``: the run manifests under ``<data>/<spider>/runs/``, read newest first without
  opening more files than needed.
- ``monitors``: the checks (pure functions) and the Spidermon suite that wraps them.
- ``alerts``: e-mail (SMTP) and webhook messages, sent only when health changes, stays bad for
  ``NEWSCRAWL_ALERT_REPEAT``, or recovers (state file under the data dir).
- ``report_data`` and ``report``: ``report.html``, one self-contained file with charts.
- ``counters`` and ``extension``: the Scrapy components that count what the monitors need and
  run the suite, the alerts and the report at the end of a crawl.

It reads run manifests, the run's article files and the crawler's stats. It imports nothing
from ``spiders``, ``extract`` (pages) or ``discovery`` (feeds): only the run it observes.
"""
