"""Helpers that test modules share: no tests here, and nothing pytest collects.

A test module imports what it needs from these instead of from another test module;
tests/conftest.py keeps the shared fixtures (and ``match_packets``, ``store_match``,
``arrived``).
"""
