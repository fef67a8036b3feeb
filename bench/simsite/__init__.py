"""The simulated RFI 华语 site: a loopback www.rfi.fr whose whole publication history is known.

Shared by the benchmarks and the tests (``tests/`` may import ``bench.simsite``). The pieces:

- :mod:`~bench.simsite.newsroom` — what is published, edited and removed over simulated time
  (deterministic for a seed): ``Newsroom(NewsroomConfig(start=…, end=…, seed=…, bursts=…))``.
- :mod:`~bench.simsite.render` — the documents in the real formats (article pages, RSS, the feedx
  mirror, news/index/contents sitemaps, robots.txt).
- :mod:`~bench.simsite.site` — what a path answers at time ``t`` (routes, ETag/Last-Modified, 304).
- :mod:`~bench.simsite.server` — ``SimSite``: the site on 127.0.0.1, its clock, outages, injected
  failures, latency, and ``counters`` (every request by kind and status, with a wall-clock log).
- :mod:`~bench.simsite.driver` — ``Driver``: ``scrapy crawl rfi_cn`` every 15 simulated minutes,
  one process per run or all runs in one worker process.
- :mod:`~bench.simsite.score` — the dataset against the model: coverage, duplicates, dates,
  capture delay, catch-up, request costs, versions and tombstones, manifests.
- :mod:`~bench.simsite.scenarios` and :mod:`~bench.simsite.run` — named scenarios end to end;
  ``python -m bench.simsite`` is the benchmark's command.

In a test::

    newsroom = Newsroom(NewsroomConfig(start=t0, end=t0 + timedelta(hours=6), seed=1))
    with SimSite(newsroom, SiteConfig(feed_size=25), ServerConfig(latency=0.2)) as site:
        site.set_now(t0)                                   # the simulated clock (Date headers, listings)
        driver = Driver(site, tmp_path / "data", mode="inprocess", arguments={"sitemaps": ""})
        runs = driver.run(t0, t0 + timedelta(hours=6))     # or drive the crawler yourself at site.origin
        scores = score(tmp_path / "data", newsroom, runs, counters=site.counters, interval=driver.interval)
    site.counters.by_kind()                                # {"feed": {"200": 9, "304": 40}, "page": {...}}
"""
