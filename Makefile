# jiedao: `make run` starts the product on SQLite with demo data; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
JIEDAO := $(BIN)/jiedao
VENDOR := var/vendor

.PHONY: run test bootstrap static browser fonts lint typecheck pytest bench messages clean

run: bootstrap static fonts
	$(JIEDAO) migrate --no-input
	$(JIEDAO) demo --quiet-if-present
	$(JIEDAO) demo-cases --if-empty --count-12345 250 --count-grid 500
	$(JIEDAO) triage train --if-missing
	$(JIEDAO) hotspots-refresh --weeks 4
	$(JIEDAO) rollups
	$(JIEDAO) up

test: bootstrap browser fonts lint typecheck pytest

bootstrap: $(VENV)/.installed $(VENDOR)/.copied messages

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "jiedao needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Only the files the pages use (and the source maps they name) are served; they are copied from node_modules, never committed.
$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/leaflet $(VENDOR)/swagger-ui
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui-bundle.js.map node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui.css.map $(VENDOR)/swagger-ui/
	touch $@

messages: $(VENV)/.installed
	$(BIN)/python scripts/compile_messages.py

static: bootstrap
	$(JIEDAO) collectstatic --no-input --verbosity 0

# Debian's chromium (and a CJK font for screenshots) for the end-to-end tests, when we may install packages.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing chromium and fonts-noto-cjk from Debian for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "chromium is not installed and cannot be installed here: the browser tests will be skipped"; fi

# The CJK font the report charts and documents are drawn with (Noto Sans CJK SC, Debian's fonts-noto-cjk).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@if [ -f $(CJK_FONT) ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing fonts-noto-cjk from Debian for the report charts"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	else echo "fonts-noto-cjk is not installed and cannot be installed here: reports will fail until it is (apt-get install fonts-noto-cjk)"; fi

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: bootstrap
	$(BIN)/mypy jiedao config bench

pytest: bootstrap
	$(BIN)/pytest $(PYTEST_ARGS)

bench: bootstrap
	$(BIN)/python bench/places.py

clean:
	rm -rf $(VENV) node_modules var
