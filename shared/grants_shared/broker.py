"""The Redis broker every worker uses: the platform's JSON wire format and OpenTelemetry middleware."""

from faststream.redis import RedisBroker
from faststream.redis.opentelemetry import RedisTelemetryMiddleware
from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import REGISTRY

from grants_shared.wire import JsonMessageFormat


def make_broker(redis_url: str) -> RedisBroker:
    """A broker on `redis_url` that traces every publish and consume and counts them for Prometheus."""
    return RedisBroker(
        redis_url,
        message_format=JsonMessageFormat,
        middlewares=[
            RedisTelemetryMiddleware(),
            RedisPrometheusMiddleware(registry=REGISTRY),
        ],
    )
