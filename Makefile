# Kafo — the two commands that matter: `make run` (demo on SQLite) and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test setup lint bench-search clean

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen --python python3.11
	@touch $@

setup: $(VENV)/.synced

## Start Kafo on http://127.0.0.1:$(PORT) with generated demo data (SQLite file in var/).
run: setup
	$(VENV)/bin/kafo demo --port $(PORT)

## Run the whole test suite (SQLite unless DATABASE_URL points to PostgreSQL).
test: setup
	$(VENV)/bin/pytest -n 2 --dist loadfile -q

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench-search: setup
	$(PY) bench/search.py

clean:
	rm -rf var/ .pytest_cache
