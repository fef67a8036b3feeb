"""Item pipelines, one stage each: fill defaults and check → validate against the schema →
de-duplicate. Storage is Scrapy's FEEDS (``newscrawl.store.feed_storage``), not a pipeline.

May import ``items``, ``schema``, ``store`` and ``run``; never ``spiders`` or ``downloader``.
"""
