# The two set-up-and-go commands of the README: `make demo` and `make test`.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
REPLAY ?= fixtures/replay

.PHONY: demo install install-dev system-deps lint test bench

install:
	$(PIP) install -q -r requirements.txt

# Install, then crawl the bundled replay archive (no network); the live crawl is the same
# `scrapy crawl rfi_cn` without the NEWSCRAWL_REPLAY_DIR setting.
demo: install
	scrapy crawl rfi_cn -s NEWSCRAWL_REPLAY_DIR=$(REPLAY)

# Debian packages the tests need: headless Chromium for the browser fallback tests (apt brings the
# libraries it links to; Playwright's Node driver ships inside the Python wheel) and one basic font
# so pages lay out. No CJK fonts: text is read from the DOM, never from pixels.
BROWSER_DEBS = chromium fonts-liberation
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-liberation >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_DEBS); \
	fi

install-dev: system-deps
	$(PIP) install -q -r requirements-dev.txt

lint:
	ruff check .
	ruff format --check .
	mypy

# Everything CI runs (.ci/run calls exactly this).
test: install-dev lint
	$(PYTHON) -m pytest

bench: install-dev
	$(PYTHON) -m bench
