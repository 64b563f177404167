# Keshang: `make run` to use it, `make test` to test it. Everything installs into .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test lint format install install-test messages clean fuzz mutate

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/keshang setup
	exec $(BIN)/keshang serve --port $(PORT)

lint: install-test
	$(BIN)/ruff check src conftest.py
	$(BIN)/ruff format --check src conftest.py

format: install-test
	$(BIN)/ruff format src conftest.py
	$(BIN)/ruff check --fix src conftest.py

# One worker per core: the suite (browser tests included) runs in parallel, each worker on its own database.
# Work stealing: a worker that runs out takes tests queued for the other, so the slow browser tests at the end
# of the run do not queue up behind one worker while the other idles.
PYTEST_ARGS ?= -n 2 --dist worksteal

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# The long API fuzz of issue 6 (make test runs 5 examples per operation): 200 examples per operation, the
# coverage phase (boundary values) and longer stateful chains, seeded afresh each run; about 25 minutes.
fuzz: install-test
	KESHANG_FUZZ_EXAMPLES=200 $(BIN)/pytest -p no:randomly -q -s src/keshang/tests/test_fuzz_api.py

# Mutation testing of issue 12 (docs/reliability.md, "make mutate"): mutmut over money and tax, line totals, scope,
# masking, numbering, the workflow machinery and partner merge, each module against only its own tests (the map
# is in scripts/mutate.py); reports in var/mutate/. `make mutate MUTATE="numbering masking"` runs just those.
MUTATE ?=
mutate: install-test
	$(BIN)/python scripts/mutate.py $(MUTATE)

# Re-extract the UI strings into the English catalogue and compile it (needs GNU gettext);
# translate any new entries in src/keshang/locale/en/LC_MESSAGES/django.po, then run it again.
messages: install-test
	cd src/keshang && ../../$(BIN)/keshang makemessages -l en --no-obsolete --add-location file \
		-i "*/tests/*" -i "*/migrations/*" -i test_settings.py
	cd src/keshang && ../../$(BIN)/keshang compilemessages -l en

clean:
	rm -rf $(VENV) var/static

# Benchmarks of issue 5 (bench/README.md): Keshang against the raw-database limit on a seeded workload of
# N customers, on SQLite and, when DATABASE_URL is set, on PostgreSQL; writes bench/results/<date>-<db>.json.
N ?= 100000
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run --n $(N)

# Load test of issue 6 (bench/load/README.md): 50 users for 2 minutes against gunicorn on PostgreSQL (a throwaway
# cluster unless DATABASE_URL is set); writes bench/results/<date>-load.json. `make load LOAD_ARGS=--quick`: ~45 s.
LOAD_ARGS ?=
.PHONY: load
$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[load]"
	@touch $@

load: $(VENV)/.installed-load
	$(BIN)/python -m bench.load.run $(LOAD_ARGS)
