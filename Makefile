# Two commands do all set-up on a fresh machine (Python 3.11, make, PyPI):
#   make run   — the whole system with a seeded demo region
#   make test  — the whole suite (starts its own PostgreSQL and NATS)
SHELL := /bin/bash
UV_BOOT := .tools/bin/uv
UV := $(shell command -v uv 2>/dev/null || echo $(UV_BOOT))
PYTHON ?= python3

.PHONY: run test test-slow test-browser screenshots lint duplicates bench bench-login bench-idle bench-orders bench-import bench-timetable bench-journal bench-reporting bench-reporting-full bench-peak sync system clean-data

$(UV_BOOT):
	@command -v uv >/dev/null 2>&1 || { $(PYTHON) -m venv .tools && .tools/bin/pip install -q "uv>=0.5"; }

# Bytecode compiled at install: machines that set PYTHONDONTWRITEBYTECODE would otherwise
# compile every module of every service process at every start (seconds each).
sync: $(UV_BOOT)
	@$(UV) sync --frozen --all-packages --group dev -q --compile-bytecode
	@$(UV) run --frozen python -m compileall -q -j 0 shared/src services tools >/dev/null

run: sync
	@$(UV) run --frozen edureg-dev

system:
	@tools/system/ensure.sh

test: sync system
	@$(UV) run --frozen pytest -m "not slow" -p no:cacheprovider

test-browser: sync system
	@$(UV) run --frozen pytest -m browser -p no:cacheprovider

# The browser journeys, keeping their screenshots in docs/screenshots (for the README).
screenshots: sync system
	@EDUREG_SCREENSHOTS=docs/screenshots $(UV) run --frozen pytest -m browser -p no:cacheprovider -q

test-slow: sync
	@$(UV) run --frozen pytest -m slow -p no:cacheprovider

lint: sync
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy shared/src services/*/src tools/admin/src tools/devstack/src

# Code written twice (6 or more similar lines), in the runtime code.
duplicates: sync
	@$(UV) run --frozen pylint --disable=all --enable=duplicate-code \
		--min-similarity-lines=6 shared/src services/*/src tools/admin/src tools/devstack/src

bench: sync
	@$(UV) run --frozen python bench/enrolment.py

bench-login: sync
	@$(UV) run --frozen python bench/login.py

bench-idle: sync
	@$(UV) run --frozen python bench/idle.py

bench-orders: sync
	@$(UV) run --frozen python bench/orders.py

bench-import: sync
	@$(UV) run --frozen python bench/imports.py

bench-timetable: sync
	@$(UV) run --frozen python bench/timetable.py

bench-journal: sync
	@$(UV) run --frozen python bench/journal.py

bench-reporting: sync
	@$(UV) run --frozen python bench/reporting.py

bench-reporting-full: sync
	@$(UV) run --frozen python bench/reporting.py --bulk --orgs 300 --students 500 --days 170 --marks 3 --requests 10

# The Monday-morning mix against a running `make run` (another terminal), loopback only.
bench-peak: sync
	@$(UV) run --frozen python bench/peak.py

clean-data:
	rm -rf .edureg
