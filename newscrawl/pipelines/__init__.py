"""Item pipelines, one stage per module, in this order: ``complete`` (fill defaults, check what
the schema cannot; no cleaning: the extractors return final values) → ``validate`` (the JSON
Schema; rejects file) → ``deduplicate`` (claims in the run's publication). Storage is Scrapy's
FEEDS (``newscrawl.store.feed_storage``), not a pipeline. Outcomes are counted by the run from
the item signals; a stage that drops an item says which outcome with ``OutcomeDropped``.

May import ``items``, ``schema``, ``discovery.urls``, ``store`` and ``run``; never ``spiders`` or
``downloader``.
"""
