"""``python -m newscrawl.extract PAGE.html|DIR|- [--url URL] [--generic]``: extract pages without a crawl.

Prints one JSON object per page (JSON Lines, UTF-8): the fields the page object extracts and
``field_sources`` for an article, or ``declined`` (the page kind) and ``problems`` for a page that
is not one. A folder is read in name order (``*.html``, ``*.htm``); ``-`` reads one page from
standard input. Files are decoded as a browser would (BOM, ``<meta charset>``, else UTF-8).
A missing or unreadable input is a one-line error and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from w3lib.encoding import html_to_unicode

from newscrawl.extract.pages.rfi import RfiArticlePage

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

PAGE_SUFFIXES = (".html", ".htm")


class InputError(Exception):
    """An input that cannot be read: reported in one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.extract",
        description="Extract article pages as the crawler does, one JSON object per page.",
    )
    parser.add_argument("page", help="an HTML file, a folder of .html/.htm files, or - for standard input")
    parser.add_argument(
        "--url",
        help="the page's URL (default: the file's file:// URL; a rel=canonical RFI article URL wins)",
    )
    parser.add_argument(
        "--generic", action="store_true", help="body from the generic extractor even where the template applies"
    )
    args = parser.parse_args(argv)
    try:
        for source, url, html in _pages(args.page, args.url):
            line = page_json(RfiArticlePage(url, html, generic=args.generic), source)
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    except InputError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    return 0


def page_json(page: RfiArticlePage, source: str) -> dict[str, Any]:
    """What the page object makes of one page, as one JSON-ready object."""
    result = page.extract()
    head: dict[str, Any] = {"source": source, "kind": result.kind}
    if result.content is None:
        return {**head, "declined": result.kind, "problems": result.problems}
    return {**head, **asdict(result.content), "field_sources": result.sources, "problems": result.problems}


def _pages(argument: str, url: str | None) -> Iterator[tuple[str, str, str]]:
    """(where it came from, URL, decoded HTML) of every page the argument names."""
    if argument == "-":
        yield "-", url or "file:///dev/stdin", _decode(sys.stdin.buffer.read())
        return
    path = Path(argument)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
        if url is not None:
            raise InputError("--url names one page; it cannot be given with a folder")
        if not files:
            raise InputError(f"no .html or .htm file in {argument}")
    elif path.exists():
        files = [path]
    else:
        raise InputError(f"no such file or folder: {argument}")
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise InputError(f"cannot read {file}: {error.strerror}") from error
        yield str(file), url or file.resolve().as_uri(), _decode(data)


def _decode(data: bytes) -> str:
    _, text = html_to_unicode(None, data)
    return text


if __name__ == "__main__":
    sys.exit(main())
