"""Extraction: page objects that turn one document (URL + HTML, or a feed's full text) into a
``PageContent`` — JSON-LD first, then meta, DOM, URL, a generic fallback last — and the pure
helpers they use (dates, text, JSON-LD). What they return is final (clean text, UTC dates,
canonical URLs): no pipeline cleans it again. No I/O, no clock, no Scrapy objects.

May import ``newscrawl.items`` and ``newscrawl.discovery.urls``; never ``run``, ``store``,
``pipelines`` or ``spiders``.
"""
