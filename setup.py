"""Packaging for Scrapyd: ``scrapyd-deploy`` builds the project's egg with this file.

Without it, scrapyd-deploy writes its own default, which packages ``tests/`` and leaves out the
package data (the record schema), so the spider would fail on Scrapyd. The egg carries the
``newscrawl`` package only, with its data files; metadata (name, version) is in pyproject.toml,
which lists ``entry-points`` as dynamic so that the Scrapy entry point below is kept.
"""

from __future__ import annotations

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["newscrawl", "newscrawl.*"]),
    # Loaded with importlib.resources, which reads them from inside the egg (a zip file).
    package_data={"newscrawl": ["schema/*.json"]},
    # Scrapyd's runner finds the settings module of an egg through this entry point.
    entry_points={"scrapy": ["settings = newscrawl.settings"]},
    zip_safe=True,
)
