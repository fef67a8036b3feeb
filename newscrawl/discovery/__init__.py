"""Discovery: where articles are found — feeds (RSS/Atom, the feedx mirror), later sitemaps and
revisit schedules —, the URL rules that turn a listed link into a canonical article URL, and the
merge of every listed entry per article (``listings``: one ``Listing`` per canonical URL).

Pure where possible (bytes in, entries out; no I/O, no clock). May import ``newscrawl.items`` and
``newscrawl.extract`` helpers (dates, text); never ``run``, ``store``, ``pipelines`` or ``spiders``.
"""
