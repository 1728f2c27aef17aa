# One entry point for everything. `make demo` and `make test` create the environment from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: install postgres demo test check lint types docs sample golden bench clean
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Exit 1 means "done, with findings or exceptions listed": expected for these batches. Anything
# else (2 unreadable input, 3 inconsistency) fails the demo.
OK01 = rc=$$?; [ $$rc -le 1 ] || { echo "exit $$rc"; exit $$rc; }

demo: $(STAMP)
	@echo "== 1. skillcli check: a clean Suzhou district batch (2021-06) =="
	$(BIN)/skillcli check sample_data/district_batch.xlsx --period 2021-06 --out $(OUT)/check-district
	@echo "== 2. skillcli check: a batch with typical clerk mistakes (exit 1: it has errors) =="
	$(BIN)/skillcli check sample_data/mistakes_batch.xlsx --period 2024-06 --out $(OUT)/check-mistakes --limit 40; $(OK01)
	@echo "== 3. skillcli payout: the Suzhou batch under suzhou-2019 =="
	$(BIN)/skillcli payout sample_data/district_batch.xlsx --policy suzhou-2019 --period 2021-06 \
		--out $(OUT)/payout-suzhou; $(OK01)
	@echo "== 4. skillcli payout: Wuxi apprentices under wuxi-2024 =="
	$(BIN)/skillcli payout sample_data/wuxi_apprentices_2024.xlsx --policy wuxi-2024 --period 2024-06 \
		--out $(OUT)/payout-wuxi; $(OK01)
	@echo "Outputs are in $(OUT)/: open payout-suzhou/payouts.xlsx in Excel or LibreOffice."

# The ledger tests start a throw-away PostgreSQL server from the system's binaries.
postgres:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ echo "installing PostgreSQL (Debian package postgresql) for the ledger tests"; \
		  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# What CI runs (.ci/run): lint and types first (seconds), then the suite, which includes building
# the wheel and installing it into a fresh environment (tests/test_install.py).
test: $(STAMP) postgres lint types
	$(BIN)/python -m pytest -q -n auto

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

# District offices run Windows: type-check the code as it is seen there (no fcntl, msvcrt instead)
# and on macOS, besides Linux; each platform keeps its own cache so reruns stay incremental.
types: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --platform win32 --cache-dir .mypy_cache/win32
	$(BIN)/mypy --platform darwin --cache-dir .mypy_cache/darwin

check: test

docs: $(STAMP)
	$(BIN)/python -m skillcli.docs > docs/findings.md

sample: $(STAMP)
	$(BIN)/python scripts/make_sample.py sample_data

# Benchmarks run skillcli from a runtime-only environment (no test tools: hypothesis, installed by
# the dev extra, would add ~80 ms to every start through pandera) and the pandas baseline from its
# own environment (pandas beside skillcli would add ~0.35 s to every start). Not part of CI.
BENCH_VENV := benchmarks/data/venv-runtime
bench: $(STAMP)
	test -x $(BENCH_VENV)/bin/skillcli || { $(PYTHON) -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/python -m pip install --quiet -c constraints.txt -e . ; }
	test -d benchmarks/data/venv-pandas || $(BENCH_VENV)/bin/python benchmarks/run.py --setup-pandas
	$(BENCH_VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
