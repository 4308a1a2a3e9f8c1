"""HTTP models of the applications API: inputs (what a client may set) and outputs, always separate."""
