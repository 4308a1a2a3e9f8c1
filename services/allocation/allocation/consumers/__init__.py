"""What the allocation worker reacts to: the applications service's events, and the loop that fetches the registry."""
