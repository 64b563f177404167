"""``make load`` (issue 6): 50 simulated users against gunicorn on PostgreSQL; see :mod:`bench.load.run`."""
