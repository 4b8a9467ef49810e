# Two commands matter: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
DSPT := $(VENV)/bin/dspt
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := dspt/static/vendor
PYTEST_ARGS ?=

.PHONY: run install uv assets migrate demo demo-secret test lint format test-fast test-postgres bench bench-lookup bench-monitoring bench-cld bench-queue bench-first-visits clean

# The demo's keys, random and written with mode 0600 under the git-ignored data folder: the
# pseudonymisation key for client-level data (written by the demo loader) and the Django secret
# key the server signs sessions with (written by demo-secret; `dspt serve` refuses the built-in
# development key while DEBUG is off). An operator's DSPT_PSEUDONYM_KEY(_FILE) and
# DSPT_SECRET_KEY(_FILE) win.
DATA := $(or $(DSPT_DATA_DIR),$(CURDIR)/data)
DEMO_KEY := $(DATA)/demo-pseudonym.key
DEMO_SECRET := $(DATA)/demo-secret.key
run demo demo-secret bench-lookup bench-queue bench-first-visits: export DSPT_PSEUDONYM_KEY_FILE ?= $(DEMO_KEY)
run demo demo-secret bench-lookup bench-queue bench-first-visits: export DSPT_SECRET_KEY_FILE ?= $(DEMO_SECRET)
# Links in e-mails (claim verification, invitations) point at the address `make run` serves on.
run: export DSPT_SITE_URL ?= http://$(HOST):$(PORT)

run: install demo-secret assets migrate demo ## Serve the app and run its worker, on SQLite with the demo data
	@echo ""
	@echo "  DSPT is running at http://$(HOST):$(PORT)/"
	@$(DSPT) demo_signins || true
	@echo ""
	@# The server and the worker (checks, processing, e-mails, daily jobs) run side by side; the
	@# worker at a lower priority, so pages stay quick while it checks a big extract. Ctrl-C, or
	@# either one ending, stops both (each finishes what it has in hand first).
	@trap 'kill $$server $$worker 2>/dev/null; wait' EXIT INT TERM; \
	nice -n 10 $(DSPT) worker & worker=$$!; \
	$(DSPT) serve --host $(HOST) --port $(PORT) & server=$$!; \
	wait -n $$server $$worker

uv:
	@command -v uv >/dev/null 2>&1 || [ -x $(HOME)/.local/bin/uv ] || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# Where PYTHONDONTWRITEBYTECODE is set (as on our CI machines) Python caches no bytecode, so every
# process compiles each module it imports again: about half of a `dspt` command's start-up, paid
# by every command, server, worker and multi-process test. Compile ahead of time instead (Python
# still reads bytecode it finds): the installed packages when the lock file changes, our own code
# at every install (only changed files are compiled again). A file that does not compile is left
# to fail where it is imported, as it would anyway.
install: uv ## Create .venv with the locked dependencies (idempotent)
	@$(UV) sync --frozen --quiet
	@test -x $(DSPT)
	@[ $(VENV)/.bytecode -nt uv.lock ] || { $(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null || true; touch $(VENV)/.bytecode; }
	@$(PY) -m compileall -q -j 0 dspt tests bench >/dev/null || true

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json ## Copy the NHS.UK frontend, plotly and axe into dspt/static/vendor
	@mkdir -p $(VENDOR)/nhsuk
	@cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js $(VENDOR)/nhsuk/
	@# The compiled CSS points at /assets/; we serve the assets under /static/vendor/nhsuk/assets/.
	@# Its web fonts come from an external host, which our content security policy (rightly) blocks:
	@# drop those @font-face rules so browsers go straight to the design system's fallback fonts.
	@sed -e 's#url(/assets/#url(/static/vendor/nhsuk/assets/#g' -e 's#@font-face{[^}]*assets\.nhs\.uk[^}]*}##g' \
		node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css > $(VENDOR)/nhsuk/nhsuk-frontend.min.css
	@cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets $(VENDOR)/nhsuk/
	@cp node_modules/plotly.js-dist-min/plotly.min.js $(VENDOR)/
	@cp node_modules/axe-core/axe.min.js $(VENDOR)/

migrate: install
	@$(DSPT) migrate --no-input -v 0

demo: demo-secret migrate ## Load the demo data set if the database is empty
	@$(DSPT) load_demo --if-empty

demo-secret: install
	@if [ -z "$$DSPT_SECRET_KEY" ] && [ "$$DSPT_SECRET_KEY_FILE" = "$(DEMO_SECRET)" ]; then \
		$(PY) -m dspt.core.keyfile "$(DEMO_SECRET)"; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install assets lint ## The whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(VENV)/bin/pytest -n 2 --dist loadgroup -q --durations=30 $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/pytest -q -m "not browser and not spark" -x

bench: bench-lookup bench-monitoring bench-cld bench-queue bench-first-visits ## All benchmarks; figures are printed as ratios

bench-lookup: install assets demo-secret  # it runs `dspt serve`, which needs a real key
	$(PY) bench/lookup.py

bench-first-visits: install assets demo-secret  # every role's pages, first visit included, < 2 s
	$(PY) bench/first_visits.py

bench-monitoring: install
	$(PY) bench/monitoring.py

bench-cld: install
	$(PY) bench/cld.py

# A large extract checked by the worker while /health is timed (ROWS=5000000 for the issue's size).
ROWS ?= 1000000
bench-queue: install demo-secret  # it runs `dspt serve`, which needs a real key
	$(PY) bench/worker_health.py --rows $(ROWS)

clean:
	rm -rf data/dspt.sqlite3* $(VENDOR)
