# Two commands for a newcomer: `make run` and `make test`. Both build .venv first:
# `make run` with the runtime dependencies only, `make test` and `make lint` with the
# development tools too (pytest, hypothesis, schemathesis, playwright, mypy, ...).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUNTIME := $(VENV)/.runtime-$(SUM)
DEV := $(VENV)/.dev-$(SUM)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails (confirmations, tips) point here: the address `make run` serves on,
# unless BITCACHE_SITE_URL is already set (e.g. a tunnel or a reverse proxy).
BITCACHE_SITE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=

.PHONY: install install-dev run test lint typecheck format bench clean browser-deps bench-deps screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	rm -f $(VENV)/.runtime-*
	touch $@

$(DEV): $(RUNTIME)
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.dev-*
	touch $@

install: $(RUNTIME)

install-dev: $(DEV)

run: install
	$(PY) manage.py migrate --noinput
	@echo ""
	@echo "  Bitcache is starting at http://$(HOST):$(PORT)/  (simulated chain unless BITCACHE_CHAIN_SOURCE is set)"
	@echo "  Make an admin account:   $(PY) manage.py createsuperuser"
	@echo "  Pay a tip offline:       $(PY) manage.py simulate_payment TIP_ID --confirm"
	@echo "  Ctrl-C stops the web server, the Celery worker and Celery beat together."
	@echo ""
	HOST=$(HOST) PORT=$(PORT) BITCACHE_SITE_URL=$(BITCACHE_SITE_URL) $(VENV)/bin/honcho -f Procfile.dev start

# Browser tests (tests/browser) drive Debian's Chromium, never a downloaded browser.
# As root, install it when missing; otherwise those tests skip and say why.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "note: /usr/bin/chromium is missing and we are not root: browser tests will skip"; \
		fi; \
	fi

test: install-dev browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# Refresh docs/screenshots/ from the browser tests.
screenshots: install-dev browser-deps
	BITCACHE_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q

# Style, the import layers (import-linter contracts in pyproject.toml) and types.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy .

# Types only (btc strictly; see [tool.mypy] in pyproject.toml).
typecheck: install-dev
	$(VENV)/bin/mypy .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# bench/bench_pages.py loads the pages with wrk (Debian package); install it as root when missing.
bench-deps:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
		else \
			echo "note: wrk is missing and we are not root: bench_pages will stop and say so"; \
		fi; \
	fi

bench: install-dev bench-deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache
