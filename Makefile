# The two commands a newcomer needs; everything else is in scripts/.
.PHONY: run test lint bench-ingest

run:  ## run the whole product: simulator, web, worker, beat, demo fixtures
	bash scripts/run.sh

test:  ## lint, types, migrations check and the test suite
	bash scripts/test.sh

lint:
	bash scripts/test.sh --lint-only

bench-ingest:  ## ingest benchmark (not part of the tests)
	bash scripts/bench.sh bench/ingest.py
