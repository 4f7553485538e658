# The README's commands. Both create .venv when it is missing and install the project.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STACK  ?= aws-dev
REPORTS := build/plan

.PHONY: install node-tools plan test lint typecheck unit policies bench clean

# The same steps as the Pulumi CLI (toolchain: pip): create the venv, upgrade pip,
# setuptools and wheel, then `pip install -r requirements.txt` in the program folder.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# Dependencies are installed once per change of pyproject.toml; the project itself is
# re-linked every time (a strict editable install maps components/ to mlops_components,
# policies/ to mlops_policies and preview/ to mlops_preview, and needs a refresh when
# modules are added).
# Build-backend chatter goes to $(VENV)/install.log and is shown only on failure.
$(VENV)/.installed: pyproject.toml setup.py stacks/requirements.txt | $(BIN)/python
	@echo "installing mlops-iac and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	@cd stacks && ../$(BIN)/python -m pip install --quiet -r requirements.txt \
		> ../$(VENV)/install.log 2>&1 || (cat ../$(VENV)/install.log; exit 1)
	@touch $@

install: $(VENV)/.installed
	@cd stacks && ../$(BIN)/python -m pip install --quiet --no-deps -r requirements.txt \
		> ../$(VENV)/install.log 2>&1 || (cat ../$(VENV)/install.log; exit 1)

# Both reports are written even when a mandatory policy violation makes the plan exit 1;
# the target then fails with the plan's exit code.
plan: install
	@mkdir -p $(REPORTS)
	@$(BIN)/mlops-iac plan $(STACK) --format json --out $(REPORTS)/$(STACK).json --quiet; \
	$(BIN)/mlops-iac plan $(STACK) --out $(REPORTS)/$(STACK).md

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/pyright components preview stacks policies benchmarks

# Node tools the tests read generated documents with (asl-validator), pinned in
# package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-tools: node_modules/.installed

unit: install node-tools
	$(BIN)/python -m pytest

test: lint typecheck unit

policies: install
	$(BIN)/mlops-iac policies --out docs/policies.md

bench: install
	$(BIN)/python benchmarks/plan_benchmark.py

clean:
	rm -rf build $(VENV) .pytest_cache node_modules
