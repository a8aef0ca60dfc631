# `make run` and `make test` work on a fresh clone with nothing but Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app contacts_api
PORT ?= 8000

.PHONY: install run test lint loadtest clean bench bench-scale bench-suggestions bench-transfer bench-carddav wrk

# Benchmark data and load (see docs/performance.md).
BENCH_USERS ?= 1000
BENCH_CARDS ?= 100
BENCH_CONTACTS ?= 50
BENCH_SECONDS ?= 10
BENCH_CONNECTIONS ?= 32
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/7
BENCH_GRAPH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench_graph
BENCH_CARDDAV_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench_carddav
BENCH_ENV = BENCH_USERS=$(BENCH_USERS) BENCH_CARDS=$(BENCH_CARDS) \
	BENCH_CONTACTS=$(BENCH_CONTACTS) BENCH_SECONDS=$(BENCH_SECONDS) \
	BENCH_CONNECTIONS=$(BENCH_CONNECTIONS) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) \
	BENCH_REDIS_URL=$(BENCH_REDIS_URL) BENCH_CARDDAV_DATABASE_URL=$(BENCH_CARDDAV_DATABASE_URL)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt -e .
	touch $@

run: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) wsgi:app

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench loadtest

# gunicorn on PostgreSQL + Redis under a mixed locust workload; fails on any error.
LOADTEST_TIME ?= 60s
LOADTEST_USERS ?= 20
loadtest: install
	LOADTEST_DATABASE_URL=$${LOADTEST_DATABASE_URL:-$$TEST_DATABASE_URL} \
	LOADTEST_REDIS_URL=$${LOADTEST_REDIS_URL:-$$TEST_REDIS_URL} \
	$(BIN)/python loadtest/run.py --run-time $(LOADTEST_TIME) --users $(LOADTEST_USERS)

wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

# The benchmarks serve the app as production installs it, from requirements.txt alone: the
# development tools would add modules to every worker's memory (PyYAML, 0.8 MiB).
BENCH_VENV ?= .venv-bench
BENCH_PYTHON := $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: requirements.txt setup.cfg
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r requirements.txt -e .
	touch $@

bench: $(BENCH_VENV)/.installed wrk
	$(BENCH_ENV) $(BENCH_PYTHON) bench/run.py

bench-scale: $(BENCH_VENV)/.installed wrk
	$(BENCH_ENV) $(BENCH_PYTHON) bench/run.py --scale

bench-transfer: $(BENCH_VENV)/.installed
	$(BENCH_ENV) $(BENCH_PYTHON) bench/run.py --transfer

bench-carddav: $(BENCH_VENV)/.installed
	$(BENCH_ENV) $(BENCH_PYTHON) bench/run.py --carddav

bench-suggestions: $(BENCH_VENV)/.installed wrk
	$(BENCH_ENV) BENCH_DATABASE_URL=$(BENCH_GRAPH_DATABASE_URL) $(BENCH_PYTHON) bench/run.py --suggestions

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache
