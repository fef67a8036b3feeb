"""Persistent state and files: the seen-store of published URLs (one interface, backend.py; SQLite
by default, Redis for many processes), the listing state (validators of each feed and sitemap,
for conditional requests) and atomic file writing (the FEEDS storage that publishes a run's
dataset file whole or not at all).

Imports nothing from the rest of the package: it knows rows and files, not articles or crawls.
"""
