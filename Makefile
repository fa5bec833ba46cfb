# prodstats — `make` rebuilds everything from data/raw; `make test` runs the suite.
# Each target documented with `## …` is listed by `make help`.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
RAW    := data/raw
OUT    := data/processed
CHARTS := docs/charts
SITE   := docs/site

.DEFAULT_GOAL := all
.PHONY: all install data charts site validate test browser lint bench precision fuzz backtest help clean

all: $(STAMP) ## Set up .venv, then rebuild data/processed, docs/charts and the site docs/site from data/raw
	$(PY) -m prodstats build --raw $(RAW) --out $(OUT) --charts $(CHARTS) --site $(SITE)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install prodstats with the pinned versions in constraints.txt

validate: $(STAMP) ## Validate the ledger in data/raw and report every problem
	$(PY) -m prodstats validate $(RAW)

data: $(STAMP) ## Rebuild the CSVs and datapackage in data/processed (no charts)
	$(PY) -m prodstats build --raw $(RAW) --out $(OUT) --no-charts

charts: $(STAMP) ## Rebuild the charts in docs/charts (no CSVs)
	$(PY) -m prodstats build --raw $(RAW) --charts $(CHARTS) --no-data

site: $(STAMP) ## Rebuild the static site in docs/site (no CSVs, no charts)
	$(PY) -m prodstats build --raw $(RAW) --site $(SITE) --no-data --no-charts

test: $(STAMP) ## Set up .venv, then run the whole test suite
	$(PY) -m pytest

browser: $(STAMP) ## Only the site's browser tests (needs Debian's chromium: apt-get install -y chromium)
	$(PY) -m pytest tests/browser

lint: $(STAMP) ## Lint the package, tests and benchmarks with ruff (configured in pyproject.toml)
	$(VENV)/bin/ruff check prodstats tests benchmarks docs/notebooks

backtest: $(STAMP) ## Backtest out of collection: M3 yearly (H=6) and Tourism yearly (H=4), windows 3 and 5, with pass/miss per goal
	$(PY) -m prodstats backtest --window 3 --window 5 \
		--data ../shared/benchdata/m3_yearly.csv --horizon 6 \
		--data ../shared/benchdata/tourism_yearly.csv --horizon 4

bench: $(STAMP) ## Measure the whole build at 10^4 and 10^5 claims, and the site; the last line is JSON
	$(PY) benchmarks/run.py

precision: $(STAMP) ## Precision of the projection's 1,000 draws against a 2,000,000-draw reference
	$(PY) benchmarks/precision.py

fuzz: $(STAMP) ## Run the property-based mutation test with 10,000 examples
	PRODSTATS_FUZZ_EXAMPLES=10000 $(PY) -m pytest tests/test_fuzz.py -q

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)/  \1\t\2/' | expand -t 12

clean: ## Remove .venv and caches (data/processed and docs/charts stay; they are committed)
	rm -rf $(VENV) .pytest_cache .hypothesis
