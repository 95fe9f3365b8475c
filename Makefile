# Quick start: `make run` (install, prepare the demo database, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test install setup serve lint typecheck check clean prod-up prod-down prod-status

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

# The demo database: migrations always (a no-op when current), the data once.
setup: install
	$(PY) manage.py migrate --noinput -v 0
	@if [ ! -f var/.demo-ready ]; then $(PY) manage.py setup_demo && touch var/.demo-ready; \
	else echo "演示数据已就绪 (var/.demo-ready)"; $(PY) manage.py demo_accounts; fi

serve:
	@./bin/serve $(PORT)

run: setup serve

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy .

check: lint typecheck test

# The production layout on this machine (bin/prod, docs/ops.md): nginx → gunicorn → PgBouncer → PostgreSQL, one worker.
prod-up: install
	@./bin/prod up

prod-down:
	@./bin/prod down

prod-status:
	@./bin/prod status

clean:
	rm -rf var/.demo-ready var/shequ.sqlite3* var/static
