# Tooling of the template. `make demo` and `make test` work on a fresh machine
# with Python 3.11+, a Rust toolchain (cargo, rustfmt, clippy) and g++.

PYTHON ?= python3
VENV ?= .venv
PY := $(abspath $(VENV))/bin/python
BUILD := build
EXAMPLE := examples/csp-adapter-acme
# A second committed rendering: a name of several words, a record, the
# WebSocket transport and Parquet.
RECORD_EXAMPLE := examples/csp-trade-tape
RECORD_ANSWERS := --data project_name=csp-trade-tape --data input_type=struct \
	--data "struct_fields=symbol:str, price:float, size:int, venue:str?" --data transport=websocket \
	--data parquet=true
# A third: the Kafka transport, records in, an int out.
KAFKA_EXAMPLE := examples/csp-kafka-quotes
KAFKA_ANSWERS := --data project_name=csp-kafka-quotes --data input_type=struct \
	--data "struct_fields=bid:float, ask:float, size:int, venue:str?" --data transport=kafka
DEMO_COUNT ?= 1000000

# One Cargo target directory for every build (demo, tests, examples).
export CARGO_TARGET_DIR ?= $(abspath $(BUILD)/cargo-target)
# The rendered projects' build.rs find csp through this interpreter.
export PYO3_PYTHON := $(PY)

.PHONY: venv demo test test-render test-build bench bench-parquet bench-kafka bench-memory bench-websocket fuzz stress memcheck lint format example lockfile lockfile-transports clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --group dev
	touch $@

venv: $(VENV)/.installed  ## the dev environment: copier, pytest, csp, hatch-rs, maturin, ruff, zizmor, actionlint

demo: venv  ## render the default example, build it with pip, run its demo against csp
	rm -rf $(BUILD)/demo
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet . $(BUILD)/demo
	$(PY) -m pip install --quiet $(BUILD)/demo
	cd $(BUILD) && $(PY) -m csp_adapter_acme --count $(DEMO_COUNT)

test: venv lint  ## all tests: render every combination, validators, example drift, nine builds
	$(PY) -m pytest

test-render: venv  ## the fast tests only (no builds)
	$(PY) -m pytest -m "not build"

test-build: venv  ## the build tests only
	$(PY) -m pytest -m build

bench: venv  ## Rust vs C++ vs Python adapters: throughput, output path, latency, push cost, build times; then bench-parquet, bench-kafka and bench-memory
	$(PY) bench/run.py
	$(PY) bench/parquet.py
	$(PY) bench/kafka.py
	$(PY) bench/memory.py

bench-parquet: venv  ## Parquet replay vs csp's ParquetReader: events/s (int, records), peak RSS of 10M rows, cold build times
	$(PY) bench/parquet.py

bench-kafka: venv  ## Kafka replay vs csp's KafkaAdapterManager on a real broker: records/s (4-field records), the broker's own rate, cold build time
	$(PY) bench/kafka.py

bench-memory: venv  ## a graph slower than its feed: peak RSS of 10M events with the bound, without it and through csp's Python push adapter; feed throughput with and without the bound
	$(PY) bench/memory.py

bench-websocket: venv  ## the WebSocket transport vs csp's own WebSocket adapter: records/s, latency p50/p99, cold build times
	$(PY) bench/websocket.py

# Every fuzz target: a rendering with records (every field type), the
# WebSocket transport and Parquet, and one with the Kafka transport.
FUZZ_SECONDS ?= 60
FUZZ_FIELDS := symbol:str, price:float, size:int?, at:datetime, gap:timedelta?, ok:bool, note:str?
fuzz: venv  ## the generated `make fuzz` (cargo-fuzz on nightly) of two renderings that have every target, FUZZ_SECONDS (60) each
	rm -rf $(BUILD)/fuzz
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet --data input_type=struct --data output_type=struct \
		--data 'struct_fields=$(FUZZ_FIELDS)' --data transport=websocket --data parquet=true . $(BUILD)/fuzz/records
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet --data input_type=float --data transport=kafka . $(BUILD)/fuzz/kafka
	for project in records kafka; do \
		(cd $(BUILD)/fuzz/$$project && CARGO_TARGET_DIR=$(abspath $(BUILD)/cargo-target-fuzz) $(MAKE) fuzz PYTHON=$(PYTHON) FUZZ_SECONDS=$(FUZZ_SECONDS)) || exit 1; \
	done

stress: venv  ## the default project's `make stress`: csp's batch rule over BATCH_RUNS (100) runs of each case (slow)
	rm -rf $(BUILD)/stress
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet . $(BUILD)/stress
	cd $(BUILD)/stress && CARGO_TARGET_DIR=$(abspath $(BUILD)/cargo-target-stress) $(MAKE) stress PYTHON=$(PYTHON)

memcheck: venv  ## the default project's tests under valgrind: memory errors and leaks in the adapter (slow)
	rm -rf $(BUILD)/memcheck
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet . $(BUILD)/memcheck
	CSP_ADAPTER_TESTING=1 $(PY) -m pip install --quiet --no-deps --no-build-isolation -e $(BUILD)/memcheck
	$(PY) tools/memcheck.py $(BUILD)/memcheck

lint: venv  ## ruff on the template's own tooling
	$(PY) -m ruff check tests tools bench
	$(PY) -m ruff format --check tests tools bench

format: venv
	$(PY) -m ruff format tests tools bench

example: venv  ## re-render examples/ (after changing the template)
	rm -rf $(EXAMPLE) $(RECORD_EXAMPLE) $(KAFKA_EXAMPLE)
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet . $(EXAMPLE)
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet $(RECORD_ANSWERS) . $(RECORD_EXAMPLE)
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet $(KAFKA_ANSWERS) . $(KAFKA_EXAMPLE)

# The crates of a rendering without a transport are refreshed; those of each
# transport are added to them (`cargo metadata` resolves only what is missing).
lockfile: venv  ## refresh template/Cargo.lock.jinja with the newest crates the Cargo.toml files allow
	rm -rf $(BUILD)/lockfile
	$(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet . $(BUILD)/lockfile/none
	rm $(BUILD)/lockfile/none/Cargo.lock
	cd $(BUILD)/lockfile/none && cargo generate-lockfile
	$(MAKE) lockfile-transports LOCK_BASE=$(BUILD)/lockfile/none/Cargo.lock

# Adds the crates of each transport, and of Parquet, to the template's lock as it is.
LOCK_VARIANTS := websocket:-d_transport=websocket none+parquet:-d_parquet=true websocket+parquet:-d_transport=websocket_-d_parquet=true kafka:-d_transport=kafka kafka+parquet:-d_transport=kafka_-d_parquet=true
lockfile-transports: venv
	for entry in $(LOCK_VARIANTS); do \
	  variant=$${entry%%:*}; answers=$$(echo $${entry#*:} | tr _ ' '); \
	  rm -rf $(BUILD)/lockfile/$$variant; \
	  $(VENV)/bin/copier copy --defaults --vcs-ref=HEAD --quiet $$answers . $(BUILD)/lockfile/$$variant || exit 1; \
	  cp $(LOCK_BASE) $(BUILD)/lockfile/$$variant/Cargo.lock; \
	  (cd $(BUILD)/lockfile/$$variant && cargo metadata --format-version 1 >/dev/null) || exit 1; \
	done
	$(PY) tools/lockfile.py csp_adapter_acme none=$(dir $(LOCK_BASE)) \
	  $(foreach entry,$(LOCK_VARIANTS),$(firstword $(subst :, ,$(entry)))=$(BUILD)/lockfile/$(firstword $(subst :, ,$(entry))))

clean:
	rm -rf $(BUILD) $(VENV)
