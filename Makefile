# Kafo — the two commands that matter: `make run` (demo on SQLite) and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test setup test-tools lint bench-search clean

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen --python python3.11
	@touch $@

setup: $(VENV)/.synced

## Start Kafo on http://127.0.0.1:$(PORT) with generated demo data (SQLite file in var/).
run: setup
	$(VENV)/bin/kafo demo --port $(PORT)

## What only some tests need: Debian's Chromium (browser tests), a Java runtime (the Spark
## engine of the zone index) and gettext (the check that every string is translated). Installed with apt-get when run as root; otherwise one line says
## what to install and those tests are skipped (never an error).
test-tools:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== apt-get install$$missing (tests du navigateur et du moteur Spark)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "Installation impossible : ces tests seront ignorés (sudo apt-get install$$missing)"; \
	  else echo "Absent :$$missing ; ces tests seront ignorés (sudo apt-get install$$missing)"; fi; \
	fi

## Run the whole test suite (SQLite unless DATABASE_URL points to PostgreSQL).
test: setup test-tools
	$(VENV)/bin/pytest -n 2 --dist loadfile -q

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench-search: setup
	$(PY) bench/search.py

clean:
	rm -rf var/ .pytest_cache
