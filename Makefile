# Everything a fresh Debian machine needs, from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps test-deps demo test bench clean

install: system-deps $(STAMP)

# Tesseract 5 with Spanish, for scanned reports (apt-get only where missing).
system-deps:
	@if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx spa; then \
		echo "installing tesseract-ocr tesseract-ocr-spa with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq tesseract-ocr tesseract-ocr-spa >/dev/null; \
	fi

# Chromium and its driver, for the review report's browser test (test set-up only).
test-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		echo "installing chromium chromium-driver with apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

demo: install
	$(BIN)/avance extract data/raw --out data/processed
	@echo
	@echo "Tables written under data/processed/<table>/<doc_id>.parquet. Open them with:"
	@echo "  $(BIN)/python -c \"import pandas as pd; print(pd.read_parquet('data/processed/goals').head())\""
	@echo "  $(BIN)/python -c \"import duckdb; print(duckdb.sql(\\\"SELECT family, count(*) FROM 'data/processed/sections/*.parquet' GROUP BY 1\\\"))\""

test: install test-deps
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/text_layer.py

clean:
	rm -rf $(VENV) data/processed/*/ build *.egg-info
