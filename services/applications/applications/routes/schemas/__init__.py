"""HTTP output models of the applications API; what a client may send is the use cases' `usecases/commands.py`."""
