"""Reliability tests: fuzzing, faults, concurrency, attacks and load."""

import sys


def pytest_terminal_summary(terminalreporter):
    fuzz = sys.modules.get("reliability.test_fuzz_openapi")
    for run, total in (fuzz.examples.items() if fuzz else ()):
        terminalreporter.write_line(
            f"fuzzing ({run}): {len(fuzz.operations[run])} operations, {total} requests"
        )
