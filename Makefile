# The README's commands. `make run` serves a demo on SQLite; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/seatkeeper
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/seatkeeper_bench

.PHONY: install run test lint test-sqlite test-postgres bench lock clean

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	env -u DATABASE_URL $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL $(BIN)/python manage.py b2b_demo
	env -u DATABASE_URL $(BIN)/python manage.py runserver 127.0.0.1:8000

test: lint test-sqlite test-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest

# The browser tests check pages, not the database: they run once, in the SQLite half.
test-postgres: install
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432 (see README)"; exit 1; }
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

# Figures at scale against PostgreSQL (its own database); ARGS="--quick codes" to choose.
bench: install
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench.database
	DATABASE_URL=$(BENCH_URL) $(BIN)/python manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_URL) $(BIN)/python -m bench.run $(ARGS)

# Re-pin every dependency after editing pyproject.toml.
lock: install
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm test-output
