# peerjobs: the two commands a newcomer needs are `make demo` and `make test` (see README.md).
# Both set everything up first: the virtual environment in .venv/ with the project and its
# test tools, and Debian's chromium for the browser-rendered career pages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ARGS ?=

.PHONY: setup browser native demo test lint typecheck bench clean

setup: $(STAMP) browser native

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "peerjobs needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# The normalizer compiled with mypyc into .venv/peerjobs-native (about a minute; a no-op when the
# sources have not changed since; plain Python when it cannot be built). See normalize/native.py.
native: $(STAMP)
	@$(BIN)/python -m normalize.build_native

# Playwright's own browser download does not work offline: use Debian's chromium.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium (needed for browser-rendered career pages)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y -q chromium >/dev/null || \
			{ $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; \
	fi
	@/usr/bin/chromium --version

demo: setup
	$(BIN)/peerjobs demo $(DEMO_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check crawlers normalize db datasette tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collects no tests; make treats that as the failure it is.
test: setup lint typecheck
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
