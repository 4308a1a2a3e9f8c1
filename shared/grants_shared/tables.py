"""The delivery tables every service keeps in its own database: outbox, inbox, parked events, consumer progress,
idempotency keys, audit."""

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream", String(200), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_unpublished", "published_at", "id"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer_group", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("stream", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

# An event whose prerequisite has not arrived yet, kept (and acknowledged on its stream) until it can apply.
parked = Table(
    "parked",
    metadata,
    Column("consumer_group", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("stream", String(200), nullable=False),
    Column("waits_for", String(200), nullable=False),  # the subject whose next applied event wakes it
    Column("frame", Text, nullable=False),  # the stream entry's payload as it arrived (envelope and headers)
    Column("reason", Text, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Index("ix_parked_waits_for", "consumer_group", "waits_for"),
    Index("ix_parked_due", "consumer_group", "next_attempt_at"),
)

# How far a consumer group has got: read models show their age from it.
consumer_progress = Table(
    "consumer_progress",
    metadata,
    Column("consumer_group", String(100), primary_key=True),
    Column("applied_total", BigInteger, nullable=False),
    Column("last_applied_at", DateTime(timezone=True), nullable=False),
    Column("last_event_at", DateTime(timezone=True), nullable=True),  # when the newest applied event occurred
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(300), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("entity_type", String(100), nullable=False),
    Column("entity_id", String(100), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index("ix_audit_entity", "entity_type", "entity_id"),
)
