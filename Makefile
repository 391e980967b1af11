# Two commands for a fresh machine: `make demo` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
# The slowest tests are listed at the end, so a suite creeping toward CI's limit shows where.
PYTEST_ARGS ?= --durations=25

.PHONY: demo test setup system-deps python-deps dashboard lint

demo: setup
	$(UV) run variantlab demo

test: setup
	$(UV) run pytest $(PYTEST_ARGS)

setup: python-deps system-deps

python-deps:
	@command -v uv >/dev/null 2>&1 || test -x "$(UV)" || { echo "installing uv (the Python package manager) ..."; \
		python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv; }
	@$(UV) sync --frozen --quiet --extra celery
	@command -v uv >/dev/null 2>&1 || echo "note: uv is in $(dir $(UV)), which is not on your PATH; in a new shell run: export PATH=\"$(dir $(UV)):\$$PATH\" (or call .venv/bin/variantlab, as the README does)"

# The system Chromium drives the browser agents and bubblewrap isolates sandboxes. Both come from
# Debian; a Playwright-managed Chromium is the fallback where apt cannot be used.
system-deps:
	@bash tools/system-deps.sh "$(UV)"

dashboard: setup
	$(UV) run variantlab dashboard

lint: setup
	$(UV) run ruff check .
