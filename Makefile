# reja — see README.md. Every target that runs code depends on `setup`, which installs what the
# project needs on a fresh Debian machine (apt as root, then a virtualenv in .venv).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
JOBS    ?= 2
APT_PKGS := python3-venv libreoffice-writer-nogui libreoffice-calc-nogui tesseract-ocr tesseract-ocr-uzb tesseract-ocr-uzb-cyrl \
            tesseract-ocr-rus poppler-utils fonts-dejavu-core fonts-liberation2 fonts-crosextra-carlito \
            chromium chromium-driver postgresql

.PHONY: setup apt demo test eval bench bench-layouts bench-national lint fuzz samples variants eval-variants eval-region clean i18n

setup: apt $(STAMP)

# Installs only the Debian packages that are missing, so a second run costs nothing.
apt:
	@missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages (run as root to install):" $$missing; exit 1; fi; \
	  echo "apt: installing" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# pip's build chatter goes to .venv/pip.log; it is shown only when the install fails.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	@echo "pip: installing reja and its dependencies into $(VENV) (log: $(VENV)/pip.log)"
	@{ $(BIN)/pip install -U pip 'setuptools>=77' wheel && $(BIN)/pip install -e '.[dev,review,postgres,cluster]'; } \
	  > $(VENV)/pip.log 2>&1 || { tail -40 $(VENV)/pip.log; exit 1; }
	touch $@

# Exit 3 means "imported, some rows need review": expected on real plans, so the demo goes on.
demo: setup
	$(BIN)/reja import samples --db out/reja.sqlite --out out --jobs $(JOBS) || [ $$? -eq 3 ]
	$(BIN)/reja compare --db out/reja.sqlite --out out/compare
	$(BIN)/reja review export out/review.xlsx --db out/reja.sqlite

test: setup
	$(BIN)/pytest -q -n $(JOBS) tests

eval: setup
	$(BIN)/python -m reja.evaluate
	$(BIN)/python tools/measure_matching.py --speed --clerk  # matching: both labelled sets, speed, clerk load

# The variety corpus (reja/variety): plans as other districts lay them out and word them, generated from
# seeds into .cache/variety (not committed). eval-variants scores reja on both seed ranges and writes
# docs/variants.md; its CI subset runs inside `make test` (tests/variety).
variants: setup
	$(BIN)/python -m reja.variety generate --range all

# A whole region (every district and city, three years) from the variety corpus, imported and asked the
# analyst's questions; each answer is checked against the generator's spec (as imported, and after a
# simulated clerk). Then the largest region's report (22 districts × 3 years) is timed in headless Chromium.
eval-region: setup
	$(BIN)/python -m reja.variety.region --region 1730 --out .cache/region
	$(BIN)/python tools/measure_report.py --region 1727 --out .cache/region-report

eval-variants: setup
	$(BIN)/python -m reja.variety eval --range all --jobs $(JOBS) --write-docs

bench: setup
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m reja.bench
	$(BIN)/python -m reja.bench.document --md bench-out/document.md

# Only the typed-layout rows of bench (XLSX, borderless PDF against openpyxl / pdfplumber), in CPU seconds.
bench-layouts: setup
	$(BIN)/python -m reja.bench.layouts

# Issue 23: PostgreSQL vs SQLite import and exports, a two-worker Dask LocalCluster vs --jobs 1/2, and the
# hours of a 30 000-page scanned backfill on N workers from the measured per-page OCR cost.
# A national-size store (every gazetteer place x 1970-2026: ~11,700 plans, ~1.1 M current rows) generated
# straight into SQLite (~8 min), then import one more plan / export / compare / review export timed on it and
# on a small store in the same run (issue 22). Needs ~4 GB of disk in bench-out/.
bench-national: setup
	$(BIN)/python -m reja.bench.national generate --db bench-out/national.sqlite
	$(BIN)/python -m reja.bench.national measure --db bench-out/national.sqlite --work bench-out/national --md bench-out/national.md

bench-cluster: setup
	$(BIN)/python tools/measure_cluster.py --plans 200 --scans 12 --scan-pages 3 --long-scans 2 --long-scan-pages 9 --backfill-pages 30000 --json bench-out/cluster.json

lint: setup
	$(BIN)/ruff check reja extract normalize schema tests samples
	$(BIN)/python tools/lint_imports.py

fuzz: setup
	$(BIN)/python tests/fuzz_readers.py --seconds 60
	$(BIN)/python tests/fuzz_readers.py --images --fake-ocr --seconds 120
	$(BIN)/python tests/fuzz_readers.py --images --seconds 120

# Collects the messages of reja.i18n and adds new ones (untranslated) to the uz/en/ru .po files;
# tests/i18n fails until each has its translation. The .po files are compiled in memory at run time.
i18n: setup
	$(BIN)/python -m reja.i18n.collect

# Regenerates samples/ from the seed-derived specs (needs LibreOffice; the outputs are committed).
samples: setup
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf out bench-out .pytest_cache
