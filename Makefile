# The two commands: `make run` (set up and serve with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Every shipped plan, in name order (partnerships share agencies: the order is kept stable);
# a plan's *.history.yaml beside it is read by import_plan with the plan.
PLAN_FILES := $(sort $(filter-out %.history.yaml,$(wildcard data/plans/*.yaml)))

.PHONY: setup run test lint format bench profile audit ci chromium system-packages clean

setup: $(VENV)/.installed node_modules/.installed .env static/build/css/app.css

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check pip==24.3.1
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/css/app.css: node_modules/.installed scripts/build-assets.mjs $(wildcard assets/scss/*.scss) | .env
	node scripts/build-assets.mjs
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# A development .env: a fresh random secret key and DEBUG on. Production sets real
# environment variables instead and never runs this.
.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (development settings)."

run: setup
	@$(MAKE) --no-print-directory system-packages || echo "Without those packages the portal runs, but reports cannot be made into PDFs."
	$(BIN)/python manage.py migrate --noinput
	for plan in $(PLAN_FILES); do $(BIN)/python manage.py import_plan "$$plan" || exit 1; done
	$(BIN)/python manage.py load_consultations
	$(BIN)/python manage.py load_demo_users
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:$${PORT:-8000} (web, worker and beat; Ctrl-C stops all three)."
	PATH="$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: setup system-packages
	bash scripts/services.sh
	$(BIN)/python -m pytest

# System packages from Debian: Chromium for the browser tests; Pango and Liberation fonts
# (Arial's metrics) for WeasyPrint's PDFs. Installed when we can (root with apt-get);
# otherwise the message names the packages. Never a silent skip.
SYSTEM_PACKAGES := chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium chromium-driver"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -qi "Liberation Sans" || missing="$$missing fonts-liberation"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Install Debian's packages:$$missing (apt-get install$$missing)."; exit 1; \
	  fi; \
	fi

chromium: system-packages

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The performance table (README, Benchmark); BENCH_* variables change the set-up.
bench: setup
	$(BIN)/python -m bench

# Where one request's time goes: make profile PAGE=/my-actions/ [BENCH_SCALE=10] [PROFILE_CPROFILE=1].
profile: setup
	$(BIN)/python -m bench.profile "$(PAGE)"

# Known vulnerabilities in the pinned Python and npm packages (scripts/audit.sh says when
# an advisory service cannot be reached; AUDIT_STRICT=1 makes that a failure).
audit: node_modules/.installed
	PYTHON=$(PYTHON) bash scripts/audit.sh

ci: lint test

clean:
	rm -rf $(VENV) node_modules static/build static/govuk staticfiles var .env
