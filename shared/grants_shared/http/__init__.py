"""HTTP plumbing shared by the service APIs: problem details, limits, health, idempotency, the app factory."""
