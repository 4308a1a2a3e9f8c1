# Two commands on a fresh machine with only Python 3.11 and make: `make run` and `make test`.
# uv comes from PyPI into .tools/ when it is not on the PATH; everything else from uv.lock.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_ARGS ?=
NAME ?=
SEED ?= 1
ARGS ?=

.PHONY: install run test test-slow lint bench soak docs clean help

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv>=0.5"

install: $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet

run: install ## Start the whole platform on embedded defaults (SQLite under var/, embedded Redis); Ctrl-C stops it
	$(UV) run grants run

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports
	$(UV) run mypy shared/grants_shared cli/grants_cli $(foreach svc,applications allocation payments reporting sandbox_bank,services/$(svc)/$(svc))

test: lint ## All tests except the slow soak runs
	$(UV) run pytest -m "not slow" $(PYTEST_ARGS)

test-slow: install ## The slow soak runs (CI runs them too)
	$(UV) run pytest -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: none selected

soak: install ## The fund's workload under seeded faults, then checks: make soak SEED=7 ARGS="--short --no-faults"
	$(UV) run grants soak --seed $(SEED) $(ARGS)

bench: install ## All benchmarks, or one: make bench NAME=allocation
	$(UV) run python -m benchmarks $(NAME)

docs: install ## Regenerate the AsyncAPI (docs/asyncapi/) and OpenAPI (docs/openapi/) documents
	$(UV) run python -m grants_cli.asyncapi docs/asyncapi
	$(UV) run python -m grants_cli.openapi_docs docs/openapi

help: ## This list of targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
