# The two set-up-and-go commands of the README: `make demo` and `make test`.
#
# Everything runs from one Python environment:
# - PYTHON=/path/to/python given on the command line: that interpreter (its environment is yours);
# - else an active virtual environment ($VIRTUAL_ENV): its python;
# - else .venv/ in this checkout, created on first use with the system python3. Debian's system
#   Python refuses `pip install` outside a virtual environment (PEP 668), so this is the default.
# Commands are always run as `<python> -m <tool>`, never a bare `scrapy` or `pytest` from PATH.
SYSTEM_PYTHON ?= python3
VENV := .venv
ifdef PYTHON
  OWN_VENV :=
else ifdef VIRTUAL_ENV
  PYTHON := $(VIRTUAL_ENV)/bin/python
  OWN_VENV :=
else
  PYTHON := $(VENV)/bin/python
  OWN_VENV := 1
endif
REPLAY ?= fixtures/replay

# Debian packages the tests need: headless Chromium for the browser-fallback and report tests (apt
# brings the libraries it links to; Playwright's Node driver ships inside the Python wheel) and one
# basic font so pages lay out. No CJK fonts: text is read from the DOM, never from pixels. Redis for
# the many-processes tests (a real redis-server on 127.0.0.1, started and stopped by the tests).
TEST_DEBS = chromium fonts-liberation redis-server

.PHONY: demo install install-dev env system-deps lint test bench bench-month

# Install, then crawl the bundled replay archive (no network); the live crawl is the same
# `scrapy crawl rfi_cn` without the NEWSCRAWL_REPLAY_DIR setting.
demo: install
	$(PYTHON) -m scrapy crawl rfi_cn -s NEWSCRAWL_REPLAY_DIR=$(REPLAY)

# Everything CI runs (.ci/run calls exactly this).
test: install-dev lint
	$(PYTHON) -m pytest

lint: install-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

bench: install-dev
	$(PYTHON) -m bench

# A simulated month on the loopback RFI (≈ 25 min), judged against the coverage and revisit goals:
# exit 1 when one is missed. Meant to run nightly, outside CI (bench/README.md, "Simulated site").
bench-month: install-dev
	@mkdir -p bench/out
	$(PYTHON) -m bench.simsite --scenario month --check --json bench/out/month.json

ifdef OWN_VENV
# Our own .venv: pip runs again only when a requirements file changed (stamps inside .venv).
install: $(VENV)/.installed-runtime
install-dev: system-deps $(VENV)/.installed-dev
env: $(PYTHON)

$(VENV)/.installed-runtime: requirements.txt | $(PYTHON)
	$(PYTHON) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PYTHON)
	$(PYTHON) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

# Python 3.11+ first, then a virtual environment; Debian's python3-venv only when venv cannot be
# made, installed with apt-get when we are root, else one line saying what to install.
$(PYTHON):
	@command -v $(SYSTEM_PYTHON) >/dev/null 2>&1 || { echo "make: $(SYSTEM_PYTHON) not found: install Python 3.11 or newer (Debian: apt-get install python3)" >&2; exit 1; }
	@$(SYSTEM_PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make: newscrawl needs Python 3.11 or newer; $(SYSTEM_PYTHON) is $$($(SYSTEM_PYTHON) -V 2>&1)" >&2; exit 1; }
	@rm -rf $(VENV)
	@if ! $(SYSTEM_PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  deb=$$($(SYSTEM_PYTHON) -c 'import sys; print("python3.%d-venv" % sys.version_info[1])'); \
	  if [ "$$(id -u)" != 0 ]; then echo "make: '$(SYSTEM_PYTHON) -m venv' does not work here: install Debian's $$deb (sudo apt-get install $$deb), then run make again" >&2; exit 1; fi; \
	  echo "make: '$(SYSTEM_PYTHON) -m venv' does not work here: installing Debian's $$deb"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$deb >/dev/null && \
	  $(SYSTEM_PYTHON) -m venv $(VENV); \
	fi
	@# pip before 23.3 does not normalise extras (PEP 685): justext's `lxml[html_clean]` (trafilatura)
	@# would print "WARNING: lxml ... does not provide the extra 'html_clean'" on every install.
	$(PYTHON) -m pip install -q --upgrade 'pip>=23.3'
else
# A given interpreter or an active environment: install into it as it is, every time (pip is
# quick when nothing changed).
install:
	$(PYTHON) -m pip install -q -r requirements.txt
install-dev: system-deps
	$(PYTHON) -m pip install -q -r requirements-dev.txt
env:
	@$(PYTHON) -c 'import sys' || { echo "make: PYTHON=$(PYTHON) does not run" >&2; exit 1; }
endif

# The Debian packages above, only those missing; apt-get as root, else one line saying what to run.
system-deps:
	@missing=""; \
	for deb in $(TEST_DEBS); do dpkg -s $$deb >/dev/null 2>&1 || missing="$$missing $$deb"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "make: the tests need Debian packages:$$missing (sudo apt-get install$$missing), then run make again" >&2; exit 1; fi; \
	  echo "make: installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
