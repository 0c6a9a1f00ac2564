"""The read-only REST API: fixtures, actions and raw packets as JSON, CSV and NDJSON."""
