"""Discovery: where articles are found — feeds (RSS/Atom, the feedx mirror), RFI's sitemaps
(``sitemaps``: robots.txt, news and contents maps, indexes; ``sitemap_walk``: which a run reads;
``backfill``: the months of a catch-up or back-fill; ``options``: their settings), later revisit
schedules —, the URL rules that turn a listed link into a canonical article URL, and the merge of
every listed entry per article (``listings``: one ``Listing`` per canonical URL).

Pure where possible (bytes in, entries out; no I/O, no clock). May import ``newscrawl.items`` and
``newscrawl.extract`` helpers (dates, text); never ``run``, ``store``, ``pipelines`` or ``spiders``.
"""
