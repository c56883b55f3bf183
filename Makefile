# Verhalenbank developer entry points. `make demo` and `make test` work on a fresh Debian
# machine with Python 3.11 (system packages are installed with apt when running as root).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED_MODEL := $(abspath ../shared/models/nl_verhalen_sm)
# The official Dutch pipeline when installed, else the stand-in from ../shared (tests and CI).
SPACY_MODEL ?= $(shell $(BIN)/python -c "import nl_core_news_sm" 2>/dev/null && echo nl_core_news_sm || echo $(SHARED_MODEL))

.PHONY: setup system-deps demo test test-fast e2e bench migration audit lint-imports duplication wheel-check

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@

setup: $(BIN)/.installed

# Chromium (browser tests), poppler (PDF → PNG), fonts (PDF rendering); Debian packages.
system-deps:
	@if [ "$$(id -u)" = "0" ] && ! { command -v chromium >/dev/null && command -v pdftoppm >/dev/null; }; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	fi
	@if [ -f package.json ] && [ ! -d node_modules ]; then npm install --no-audit --no-fund --silent; fi

PORT ?= 5000
demo: setup
	VERHALENBANK_SPACY_MODEL=$(SPACY_MODEL) $(BIN)/verhalenbank demo --port $(PORT)

# The tests run in parallel processes (pytest-xdist, one per core; each has its own PostgreSQL
# database, SQLite files and ports). The load tests (marker solo) measure latency under a rush,
# so they run afterwards, alone. `make test TEST_WORKERS=0` runs everything in one process.
TEST_WORKERS ?= auto
test: setup system-deps lint-imports duplication
	VERHALENBANK_SPACY_MODEL=$(SPACY_MODEL) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not solo"
	VERHALENBANK_SPACY_MODEL=$(SPACY_MODEL) $(BIN)/python -m pytest -m solo

# Import contracts in pyproject.toml ([tool.importlinter]): core imports no domain, no cycles
# between the packages. Known debt is listed there as ignore_imports; anything new fails.
lint-imports: setup
	$(BIN)/lint-imports --no-cache --no-logo

# Repeated code across the package's modules ([tool.pylint] in pyproject.toml); any fails.
duplication: setup
	$(BIN)/pylint verhalenbank

# Builds the sdist and wheel, installs the wheel into a fresh venv outside the checkout and runs
# init, an import of ../shared's example stories, serve and a page request (.ci/wheel-check).
wheel-check:
	PY=$(PY) .ci/wheel-check

# Browser journeys (Chromium + axe-core) and load/fault tests against `verhalenbank serve`;
# screenshots, the pack PDF and load figures (load.json: p50/p95, stored vs sent) land in test-artifacts/.
e2e: setup system-deps
	VERHALENBANK_SPACY_MODEL=$(SPACY_MODEL) $(BIN)/python -m pytest -q -m "browser or slow"
	@cat test-artifacts/load.json

# Known vulnerabilities in the installed dependencies; fails if any. First proves advisory data
# is reachable (a known-vulnerable pin must be reported), else says "niet gecontroleerd" (exit 3).
audit: setup
	BIN=$(BIN) .ci/audit

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; VERHALENBANK_SPACY_MODEL=$(SPACY_MODEL) $(BIN)/python $$b; done

migration: setup
	$(BIN)/python -m verhalenbank.core.migrate "$(MSG)"
