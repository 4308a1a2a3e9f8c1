"""Pure rules of the applications service: governance, eligibility, lifecycle, identifiers, need measures."""
