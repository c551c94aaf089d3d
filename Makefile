# The two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# One public address for every process: honcho gives each its own PORT (web 8000,
# worker 8100, beat 8200), so links in messages the worker sends must not follow it.
PORTAL_URL ?= http://127.0.0.1:$(PORT)
export PORTAL_URL

VAR_DIR ?= $(CURDIR)/var
# Where `make run` leaves honcho's pid for `make stop`.
RUN_PID := $(VAR_DIR)/make-run.pid

.PHONY: run stop test lint bench bench-tools load messages clean-var

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when the requirement files change.
$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

## make run: install, compile translations, migrate, load data, start web + worker + beat.
# Ctrl-C (honcho gets it) or `make stop` from another terminal stops them all; this
# shell ignores both and waits, so it can remove the pid file and exit quietly.
run: $(VENV)/.installed-run
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py prepare_portal
	@mkdir -p "$(VAR_DIR)"; trap '' INT TERM; \
	$(BIN)/honcho --procfile Procfile start & echo $$! > "$(RUN_PID)"; \
	wait $$!; status=$$?; rm -f "$(RUN_PID)"; \
	case $$status in 0|130|143) ;; *) exit $$status;; esac

## make stop: stop what `make run` started.
stop:
	@bash bin/stop-run "$(RUN_PID)"

# The layering check (import circles, layer order, file sizes, function-local imports):
# the team's shared copy beside the repository when there is one, else the vendored one.
LAYERS := $(firstword $(wildcard ../shared/checks/layers.py) checks/layers.py)

## make test: lint, type check, migration check, the whole suite and the layering check.
# mypy keeps its incremental cache in .mypy_cache/ (a run after a change takes seconds).
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py compile_translations
	DJANGO_SETTINGS_MODULE=clinic.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest
	python3 $(LAYERS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

## make messages: refresh the Russian catalogues from the source (needs GNU gettext).
# Each app keeps its own catalogue; the top level holds clinic/ and templates/.
messages: $(VENV)/.installed-dev
	cd procedures && ../$(BIN)/python ../manage.py makemessages -l ru --no-obsolete
	cd patients && ../$(BIN)/python ../manage.py makemessages -l ru --no-obsolete
	$(BIN)/python manage.py makemessages -l ru --no-obsolete --ignore=procedures \
		--ignore=patients --ignore=.venv --ignore=var --ignore=bench --ignore=conftest.py \
		--ignore='*/tests/*' --ignore=test-artifacts
	$(BIN)/python manage.py compile_translations

## make bench: the speed figures, printed as a table (installs Debian's wrk when missing).
bench: $(VENV)/.installed-dev bench-tools
	DJANGO_SETTINGS_MODULE=clinic.settings.test $(BIN)/python -m bench

# wrk drives the throughput benchmark; without it the bench warns and uses bench/httpload.py.
bench-tools:
	@bash bench/install-wrk.sh

## make load: 50 patients for 2 minutes against gunicorn, PostgreSQL and Redis (load/run.py).
# Not part of `make test`. LOAD_TIME=30s for a shorter run; LOAD_DATABASE_URL and
# LOAD_REDIS_URL point elsewhere (the database is dropped and recreated).
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: requirements-load.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install --quiet -r requirements-load.txt
	@touch $@

load: $(VENV)/.installed-run $(LOAD_VENV)/.installed
	LOCUST=$(LOAD_VENV)/bin/locust $(BIN)/python load/run.py

clean-var:
	rm -rf var
