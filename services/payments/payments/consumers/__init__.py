"""What the worker reacts to: other services' events (events.py) and the timed loops (loops.py)."""
