# The two commands of the README. Both create .venv on first use and are safe to rerun.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= data/sample/consulting-firm/campaign.toml

.PHONY: report overview test check lint install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package metadata changes; the stamp files make reruns fast.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The weekly campaign report of the sample consulting firm (or CONFIG=...): prints the HTML path.
report: $(VENV)/.installed
	$(BIN)/reconnect report weekly --config $(CONFIG)

# The client-base overview for a strategic focus plan.
overview: $(VENV)/.installed
	$(BIN)/reconnect report overview --config $(CONFIG)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# -n auto: one pytest worker per core (pytest-xdist); every test keeps its files in tmp_path
# and its PostgreSQL tables in a schema of its own, so workers never meet. --durations names the
# fifteen slowest tests, so a CI run shows where its ten minutes go.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist worksteal --durations=15

# The developers' fast loop: lint, then every test outside the four slow layers (no notebook
# runs or killed subprocesses, no Spark, no browser, no PostgreSQL; tests/conftest.py marks
# them), each property on a few hypothesis examples, stopping at the first failure.
FAST := not slow and not spark and not browser and not postgres
check: $(VENV)/.installed-test
	$(BIN)/ruff check .
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-check} $(BIN)/python -m pytest -n auto --dist worksteal -m "$(FAST)" -x -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
