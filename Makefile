# Every target sets up .venv first; only Python 3.11 and the package registry are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint docs clean system-packages

# the pictures' tests need Graphviz's `dot` and a chromium: installed with apt-get when root,
# else those tests are skipped, saying why
SYSTEM_PACKAGES := $(if $(shell command -v dot),,graphviz) $(if $(shell command -v chromium),,chromium)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,examples,viz,browser]'
	touch $(STAMP)

system-packages:
	@if [ -n "$(strip $(SYSTEM_PACKAGES))" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); } \
			|| echo "apt-get could not install $(SYSTEM_PACKAGES); their tests are skipped"; \
	elif [ -n "$(strip $(SYSTEM_PACKAGES))" ]; then \
		echo "not installed (needs root and apt-get): $(SYSTEM_PACKAGES); their tests are skipped"; \
	fi

demo: $(STAMP)
	$(PY) -m examples.digits_mlp

test: $(STAMP) system-packages
	$(PY) -m pytest -n 2 --dist loadfile -rs

bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(PY) -m ruff check graph2jax tests benchmarks examples
	$(PY) -m ruff format --check graph2jax tests benchmarks examples

docs: $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	$(PY) -m sphinx -W -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build .pytest_cache
