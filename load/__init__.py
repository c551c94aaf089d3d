"""`make load`: a bounded load run on 127.0.0.1 (load/run.py), not part of `make test`."""
