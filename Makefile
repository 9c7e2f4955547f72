# CMC Assistant. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
MODEL := models/cmc.tar.gz

# Defaults for every command below; override in the environment (see README).
export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
# Empty: the action server takes calls without a token, so it must stay on loopback
# (ACTIONS_HOST, default 127.0.0.1); endpoints.yml needs the variable set, even empty.
export ACTIONS_TOKEN ?=
export WEB_PORT ?= 8080
export TRACKER_STORE_URL ?= sqlite:///var/tracker.db
export DATABASE_URL ?= sqlite:///var/participants.db
export ACTION_ENDPOINT_URL ?= http://localhost:$(ACTIONS_PORT)/webhook
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL ?= 2
export LOG_LEVEL ?= INFO

# The model depends on everything that shapes it; make retrains only when one changed.
# The list is bot/nlu/fingerprint.py's, the one Rasa's training cache uses (standard
# library only: it runs before .venv exists).
TRAINING_INPUTS := $(shell $(PYTHON) -I bot/nlu/fingerprint.py)
ifeq ($(TRAINING_INPUTS),)
$(error bot/nlu/fingerprint.py listed no training inputs)
endif

.PHONY: help install train migrate run test check lint bench eval lock clean browser postgres redis webchat axe

help:
	@echo "make run    install if needed, train if needed, start Rasa (:$(RASA_PORT)), actions (:$(ACTIONS_PORT)) and the page (:$(WEB_PORT))"
	@echo "make check  ruff, mypy and the fast tests (no server, model or browser)"
	@echo "make test   everything the tests need, then make check, then the slow tests"
	@echo "make train  train the model if its inputs changed"
	@echo "make migrate  apply the participant store's migrations (DATABASE_URL)"
	@echo "make bench  latency, throughput, start-up and accuracy (docs/benchmarks.md)"
	@echo "make eval   blind conversation sets, per-class pass rates (EVAL_URL: a running assistant)"
	@echo "make lock   re-resolve requirements.in into constraints.txt"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One resolve, pinned by constraints.txt: installing anything on its own can upgrade
# numpy/aiohttp/SQLAlchemy past Rasa's pins.
$(VENV)/.installed: requirements.in constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade 'pip>=24,<26'
	$(BIN)/pip install --quiet -r requirements.in -c constraints.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

install: $(VENV)/.installed

$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --fixed-model-name cmc --out models
	touch $@

train: $(MODEL)

var:
	mkdir -p var

# Alembic migrations of the participant store (DATABASE_URL).
migrate: install | var
	$(BIN)/python -m bot db upgrade

run: $(MODEL) migrate | var
	scripts/run-all

# Browser tests drive Debian's chromium and chromedriver, never a browser that a test
# tool downloads.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { export DEBIAN_FRONTEND=noninteractive; \
	    $(SUDO) apt-get install -y -q --no-install-recommends chromium chromium-driver || \
	    { $(SUDO) apt-get update -q && \
	      $(SUDO) apt-get install -y -q --no-install-recommends chromium chromium-driver; }; }

# rasa-webchat, the usual Rasa widget, for tests/test_webchat.py: its prebuilt browser
# bundle (lib/index.js, UMD, window.WebChat) from the npm registry, into git-ignored
# var/npm, once. No install scripts: only the prebuilt bundle is used.
WEBCHAT_VERSION := 1.0.1
WEBCHAT := var/npm/node_modules/rasa-webchat/lib/index.js
$(WEBCHAT): | var
	npm install --prefix var/npm --no-audit --no-fund --ignore-scripts rasa-webchat@$(WEBCHAT_VERSION)
	test -f $@ && touch $@

webchat: $(WEBCHAT)

# axe-core, the accessibility rules tests/test_staff_a11y.py runs in chromium: its
# axe.min.js from the npm registry's tarball, pinned by version and by the tarball's
# sha512 (the registry's `dist.integrity`: `npm view axe-core@VERSION dist.integrity`),
# checked here before anything is unpacked, into git-ignored var/npm/axe-core, once.
# Served to the browser by the test alone, never by the app.
AXE_VERSION := 4.14.1
AXE_INTEGRITY := sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := var/npm/axe-core/$(AXE_VERSION)/axe.min.js
$(AXE): | var
	rm -rf var/npm/axe-core && mkdir -p $(@D)
	npm pack --silent --pack-destination $(@D) axe-core@$(AXE_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary $(@D)/axe-core-$(AXE_VERSION).tgz | base64 -w0)" = '$(AXE_INTEGRITY)' || \
	  { echo "axe-core $(AXE_VERSION): the tarball's sha512 is not $(AXE_INTEGRITY)" >&2; rm -rf var/npm/axe-core; exit 1; }
	tar -xzf $(@D)/axe-core-$(AXE_VERSION).tgz -C $(@D) --strip-components=1 package/axe.min.js
	rm $(@D)/axe-core-$(AXE_VERSION).tgz
	test -f $@ && touch $@

axe: $(AXE)

# A service the tests need and cannot start: their tests skip, saying why (conftest's
# `unavailable`), except in CI (CI=true), where everything must run.
missing = { echo "$(1) is not running: install it or set $(2); its tests will skip." >&2; \
	case "$${CI:-}" in 1|true|yes) exit 1;; esac; }

# The stores' tests also run against PostgreSQL: the machine's (started here when it is
# installed but down), or the server TEST_POSTGRES_URL names.
postgres:
	@if [ -z "$${TEST_POSTGRES_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
	    $(SUDO) pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -1)" main start; \
	    for _ in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  fi; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || $(call missing,PostgreSQL,TEST_POSTGRES_URL); \
	fi

# The webhook delivery log's tests also run against Redis: the machine's, started here
# when it is installed but down, or the server TEST_REDIS_URL names.
redis:
	@if [ -z "$${TEST_REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
	  if command -v redis-server >/dev/null; then \
	    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	    for _ in $$(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; \
	  fi; \
	  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || $(call missing,Redis,TEST_REDIS_URL); \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The fast loop: lint and every test that needs no server, model or browser (markers
# are enforced by tests/conftest.py). Starts PostgreSQL and Redis for the stores' tests.
# Their SQLite files go to tmpfs when the machine has one: on a disk, SQLite's fsyncs
# are most of a store test's time.
FAST_TMPDIR := $(if $(wildcard /dev/shm),/dev/shm,$(or $(TMPDIR),/tmp))
check: lint postgres redis | var
	TMPDIR=$(FAST_TMPDIR) $(BIN)/python -m pytest -m "not slow"

# The full suite: `make check` first, then every slow test.
test: $(MODEL) browser webchat axe check | var
	$(BIN)/python -m pytest -m slow

bench: $(MODEL) | var
	$(BIN)/python -m bench

# The blind conversation sets (bench/conversations/), graded on the replies, through
# the REST channel: of the assistant at EVAL_URL, or of servers it starts itself.
# Per-class pass rates; the sealed half's failures are never printed.
EVAL_URL ?=
eval: $(MODEL) | var
	$(BIN)/python -m bench.conversations $(if $(EVAL_URL),--url $(EVAL_URL))

# Re-resolve after editing requirements.in; commit both files.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.in
	$(BIN)/pip freeze --exclude-editable > constraints.txt
	$(BIN)/pip check

clean:
	rm -rf models var/*.db .pytest_cache
