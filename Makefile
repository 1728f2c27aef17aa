# One entry point for everything. `make demo` and `make test` create the environment from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= 2024-06
OUT ?= out

.PHONY: install postgres demo test check lint types docs sample golden bench clean
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@echo "== skillcli check: the clean batch =="
	$(BIN)/skillcli check sample_data/district_batch.xlsx --period $(PERIOD) --out $(OUT)/check-clean
	@echo "== skillcli check: the batch with typical mistakes (exit 1 is expected: it has errors) =="
	-$(BIN)/skillcli check sample_data/mistakes_batch.xlsx --period $(PERIOD) --out $(OUT)/check-mistakes

# The ledger tests start a throw-away PostgreSQL server from the system's binaries.
postgres:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ echo "installing PostgreSQL (Debian package postgresql) for the ledger tests"; \
		  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

test: $(STAMP) postgres
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

docs: $(STAMP)
	$(BIN)/python -m skillcli.docs > docs/findings.md

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py sample_data

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
