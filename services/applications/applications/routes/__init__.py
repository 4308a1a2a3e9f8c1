"""HTTP routes of the applications API, one module per resource."""
