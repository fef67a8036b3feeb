"""One crawl run: its identity, lock on the data dir, accounting of every entry's outcome and the
run manifest (``runs/<run_id>.json``), built as a Scrapy extension driven by signals.

May import everything below it (``store``, ``extract.dates``, ``items``); nothing imports ``run``
but the pipelines, spiders and commands.
"""
