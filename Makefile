# The verbs people need. The README's two commands are the source of truth.
.PHONY: run test lint bench fuzz

run:
	cargo run --release -p hmms -- serve --demo

test:
	scripts/test

lint:
	cargo fmt --all -- --check
	scripts/check-architecture
	cargo clippy --workspace --all-targets -- -D warnings

fuzz:
	scripts/schemathesis

bench:
	cargo build --release -p hmms
	python3 bench/foundation.py --postgres postgres://postgres@127.0.0.1:5432/postgres
