# Two commands do all the set-up: `make run` (app with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-postgres browser-deps translations bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

## Start the app with demo data at http://127.0.0.1:5000 (SQLite in instance/), with a job worker beside it.
run: $(STAMP)
	$(BIN)/dialogue demo
	$(BIN)/dialogue serve --host 127.0.0.1 --port 5000

## Run the whole test suite (SQLite; PostgreSQL too when DATABASE_URL is set) in parallel: one pytest-xdist
## worker per core, each on its own database, each test file on one worker (`--dist loadgroup` would not do:
## pytest 9.2 silently ignores its groups). `make test TEST_WORKERS=0` runs it in one process (debugging).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

translations: $(STAMP)
	$(BIN)/dialogue translations update

## Benchmark (not part of CI): gunicorn + wrk at 100 and 1,000 sessions; see bench/README.md.
bench: $(STAMP)
	$(BIN)/python bench/serve_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
