"""Discovery: where articles are found — feeds (RSS/Atom, the feedx mirror), later sitemaps and
revisit schedules — and the URL rules that turn a listed link into a canonical article URL.

Pure where possible (bytes in, entries out; no I/O, no clock). May import ``newscrawl.items`` and
``newscrawl.extract`` helpers (dates, text); never ``run``, ``store``, ``pipelines`` or ``spiders``.
"""
