# The two commands a newcomer needs; everything else is in scripts/.
.PHONY: run test test-js lint bench-ingest bench-live bench-export bench-relay

run:  ## run the whole product: simulator, web, worker, beat, demo fixtures
	bash scripts/run.sh

test:  ## lint, types, migrations check and the test suite
	bash scripts/test.sh

test-js:  ## the front-end unit tests alone (Node's test runner; no services, no npm)
	node --test tests/js/*.test.mjs

lint:
	bash scripts/test.sh --lint-only

bench-ingest:  ## ingest benchmark (not part of the tests)
	bash scripts/bench.sh bench/ingest.py

bench-live:  ## live delivery benchmark: feed to websocket viewers through the web process, against a bare broadcast
	bash scripts/bench.sh bench/live.py

bench-export:  ## REST export benchmark: a million actions as CSV and NDJSON, JSON pages
	bash scripts/bench.sh bench/export.py

bench-relay:  ## relay benchmark: one relay process, 1,000 vendor clients of one live match
	bash scripts/bench.sh bench/relay.py
