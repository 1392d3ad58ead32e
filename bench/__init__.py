"""Benchmarks of the integration against the device simulator (run with ``scripts/bench``).

Each ``bench_<name>.py`` module is one benchmark. They are pytest modules so they can reuse the
Home Assistant test harness, but ``scripts/test`` never collects them: pytest only looks for
``test_*.py`` under ``tests/`` there, while ``scripts/bench <name>`` runs one module explicitly.
"""
