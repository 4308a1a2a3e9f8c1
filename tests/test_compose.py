"""docker-compose.yml stays in step with the code: services, commands and environment names."""

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from grants_cli.system import SERVICES
from grants_shared import redis_acl
from grants_shared.http.edge import EdgeSettings
from grants_shared.http.ratelimit import RateLimitSettings
from grants_shared.settings import PlatformSettings
from tests.support.metric_names import EXPECTED_ELSEWHERE

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
READ_BY_LIBRARIES = {"OTEL_EXPORTER_OTLP_ENDPOINT"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every environment variable a settings class reads."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(str(alias).upper() if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def known_env() -> set[str]:
    names = env_names(PlatformSettings) | env_names(EdgeSettings) | env_names(RateLimitSettings) | READ_BY_LIBRARIES
    for svc in SERVICES:
        names |= env_names(importlib.import_module(f"{svc}.config").Settings)
    names |= env_names(importlib.import_module("sandbox_bank.config").Settings)
    return names


def service(name: str) -> dict[str, Any]:
    return dict(COMPOSE["services"][name])


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_has_an_api_and_a_worker_whose_commands_exist(svc: str) -> None:
    api, worker = service(f"{svc}-api"), service(f"{svc}-worker")
    target = next(arg for arg in api["command"] if arg.endswith(":create_app"))
    module, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert worker["command"][:2] == ["python", "-m"]
    assert callable(importlib.import_module(worker["command"][2]).create_app)


def test_every_environment_name_in_compose_is_read_by_the_code() -> None:
    known = known_env()
    for name, spec in COMPOSE["services"].items():
        if "build" not in spec:
            continue
        unknown = set(spec.get("environment") or {}) - known
        assert not unknown, f"{name} sets variables no code reads: {unknown}"


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_gets_its_own_postgres_database(svc: str) -> None:
    env = service(f"{svc}-worker")["environment"]
    assert env[f"{svc.upper()}_DATABASE_URL"].endswith(f"/{svc}")
    assert f"CREATE DATABASE {svc};" in (ROOT / "deploy/postgres/init.sql").read_text()


@pytest.mark.parametrize("svc", SERVICES)
def test_only_the_workers_get_the_event_keys_and_compose_insists_on_them(svc: str) -> None:
    keys = service(f"{svc}-worker")["environment"]["GRANTS_EVENT_KEYS"]
    assert keys.startswith("${GRANTS_EVENT_KEYS:?")  # docker compose refuses to start without them
    assert "GRANTS_EVENT_KEYS" not in service(f"{svc}-api")["environment"]


def test_migrations_cover_every_service_and_redis_keeps_an_fsynced_aof() -> None:
    assert service("migrate")["command"][3:] == list(SERVICES)
    redis_cmd = service("redis")["command"]
    assert "--appendonly" in redis_cmd and redis_cmd[redis_cmd.index("--appendfsync") + 1] == "always"
    assert service("sandbox-bank")["command"] == ["python", "-m", "sandbox_bank"]


def test_the_bank_is_not_published_and_takes_keys_from_the_environment() -> None:
    bank = service("sandbox-bank")
    assert "ports" not in bank and "network_mode" not in bank  # only the compose network reaches it
    published = {name: spec["ports"] for name, spec in COMPOSE["services"].items() if spec.get("ports")}
    assert not any("8005" in str(ports) for ports in published.values()), published
    for name in ("SANDBOX_BANK_API_KEY", "SANDBOX_BANK_CONTROL_KEY"):  # no default: compose refuses to start without
        assert bank["environment"][name] == f"${{{name}:?set {name}}}"
    for worker in ("payments-api", "payments-worker"):
        assert service(worker)["environment"]["SANDBOX_BANK_API_KEY"] == bank["environment"]["SANDBOX_BANK_API_KEY"]
    assert "SANDBOX_BANK_CONTROL_KEY" not in COMPOSE["x-env"]  # the control key is the bank's alone


# Observability: every file compose mounts exists, and the dashboards and alert rules use only metrics the code
# exports (their names are read from the process's Prometheus registry, once the modules that register are loaded).

DEPLOY_FILES = [
    spec.split(":")[0]
    for svc in COMPOSE["services"].values()
    for spec in svc.get("volumes") or []
    if spec.startswith("./")
]
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
}
PROMETHEUS_OWN = {"up"}  # series Prometheus makes itself for every target
PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def mounted(service_name: str, target: str) -> Path:
    """The host path compose mounts at `target` in `service_name`."""
    for spec in service(service_name).get("volumes") or []:
        source, mount_point = spec.split(":")[:2]
        if mount_point == target:
            return ROOT / source
    raise AssertionError(f"{service_name} mounts nothing at {target}")


def exported_metric_names() -> set[str]:
    """Every sample name the APIs can put on /metrics, from the registry their modules fill."""
    from prometheus_client import REGISTRY

    for module in ("grants_shared.http.app", *(f"{svc}.api" for svc in SERVICES)):
        importlib.import_module(module)
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads (labels, ranges, groupings and function names taken out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    found = re.findall(r"(?<![\w.$:])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", expr)
    return {name for name in found if name.lower() not in PROMQL_WORDS}


def dashboards() -> list[dict[str, Any]]:
    provider = yaml.safe_load(
        (mounted("grafana", "/etc/grafana/provisioning") / "dashboards/dashboards.yaml").read_text()
    )["providers"][0]
    folder = mounted("grafana", provider["options"]["path"])
    files = sorted(folder.glob("*.json"))
    assert files, f"no dashboard in {folder}"
    return [json.loads(file.read_text()) for file in files]


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found += [panel, *panel.get("panels", [])]
    return [panel for panel in found if panel["type"] != "row"]


def alert_rules() -> list[dict[str, Any]]:
    config = yaml.safe_load(mounted("prometheus", "/etc/prometheus/prometheus.yml").read_text())
    rules = []
    for path in config["rule_files"]:
        rules += [
            rule
            for group in yaml.safe_load(mounted("prometheus", path).read_text())["groups"]
            for rule in group["rules"]
        ]
    return rules


def test_every_file_compose_mounts_exists() -> None:
    assert DEPLOY_FILES, "compose mounts the deploy/ configuration"
    missing = [path for path in DEPLOY_FILES if not (ROOT / path).exists()]
    assert not missing, f"compose mounts files that do not exist: {missing}"


def test_traces_go_from_every_service_through_the_collector_to_jaeger() -> None:
    collector = yaml.safe_load(mounted("otel-collector", "/etc/otel/collector.yaml").read_text())
    endpoint = COMPOSE["x-env"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert endpoint.startswith("http://otel-collector:")
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":" + endpoint.rsplit(":", 1)[1])
    exporters = collector["service"]["pipelines"]["traces"]["exporters"]
    assert all(collector["exporters"][name]["endpoint"].startswith("jaeger:") for name in exporters)
    assert "jaeger" in COMPOSE["services"]


def test_prometheus_scrapes_every_api_and_loads_the_alert_rules() -> None:
    config = yaml.safe_load(mounted("prometheus", "/etc/prometheus/prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    for svc in SERVICES:
        port = service(f"{svc}-api")["command"][-1]
        assert f"{svc}-api:{port}" in targets
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= {
        "DeadLetters",
        "ReconciliationDifferencesOpen",
        "OutboxStuck",
        "ConsumerLagGrowing",
        "ServerErrors",
        "ConsumerStalled",
        "ConsumerBehind",
        "EventsParkedLong",
    }
    assert all(rule["annotations"]["summary"] for rule in rules)


def test_prometheus_scrapes_with_the_token_the_apis_require_in_production() -> None:
    config = yaml.safe_load(mounted("prometheus", "/etc/prometheus/prometheus.yml").read_text())
    secret = "metrics_token"
    assert secret in service("prometheus")["secrets"]
    for job in config["scrape_configs"]:
        assert job["authorization"] == {"type": "Bearer", "credentials_file": f"/run/secrets/{secret}"}, job
    variable = COMPOSE["secrets"][secret]["environment"]
    assert variable == "GRANTS_METRICS_TOKEN"
    for svc in SERVICES:
        env = service(f"{svc}-api")["environment"]
        assert env["GRANTS_ENV"] == "production" and env[variable].startswith("${" + variable + ":?")
        assert str(env.get("GRANTS_DOCS_ENABLED", "false")).lower() == "false"  # no docs for the public


def test_grafana_provisions_the_operations_dashboard_on_the_provisioned_datasource() -> None:
    datasources = yaml.safe_load(
        (mounted("grafana", "/etc/grafana/provisioning") / "datasources/datasources.yaml").read_text()
    )["datasources"]
    uids = {source["uid"] for source in datasources}
    boards = {board["title"]: board for board in dashboards()}
    operations = boards["Community Wealth Fund: operations"]
    assert len({panel["id"] for panel in operations["panels"]}) == len(operations["panels"])
    for panel in panels(operations):
        assert panel["targets"], panel["title"]
        assert all(target["datasource"]["uid"] in uids for target in [panel, *panel["targets"]]), panel["title"]


def test_dashboards_and_alerts_use_only_metrics_the_code_exports() -> None:
    exported = exported_metric_names()
    expressions = [(rule["alert"], rule["expr"]) for rule in alert_rules()]
    expressions += [
        (f"{board['title']}: {panel['title']}", target["expr"])
        for board in dashboards()
        for panel in panels(board)
        for target in panel["targets"]
    ]
    used: set[str] = set()
    for where, expr in expressions:
        names = metric_names(expr)
        assert names, f"{where}: no metric found in {expr!r}"
        unknown = names - exported - PROMETHEUS_OWN - set(EXPECTED_ELSEWHERE)
        assert not unknown, f"{where} reads {unknown}, which no code exports"
        used |= names
    for family in (
        "grants_http_requests_total",
        "grants_http_request_duration_seconds_bucket",
        "grants_outbox_unsent",
        "grants_outbox_oldest_unsent_age_seconds",
        "grants_consumer_lag",
        "grants_consumer_pending",
        "grants_dead_letters",
        "grants_fund_reconciliation_differences_open",
        "grants_group_pending",
        "grants_group_lag",
        "grants_group_oldest_pending_age_seconds",
        "grants_group_parked",
        "grants_group_oldest_parked_age_seconds",
        "grants_group_seconds_since_applied",
    ):
        assert family in used, f"nothing shows or alerts on {family}"


def balanced(expr: str) -> bool:
    """True when the expression's brackets pair up (outside quoted strings)."""
    expr, stack = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr), []
    for char in expr:
        if char in "([{":
            stack.append(")]}"["([{".index(char)])
        elif char in ")]}" and (not stack or stack.pop() != char):
            return False
    return not stack


def test_every_alert_rule_is_well_formed() -> None:
    for rule in alert_rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert balanced(rule["expr"]), f"{rule['alert']}: unbalanced brackets in {rule['expr']!r}"
        assert re.fullmatch(r"\d+[smh]", str(rule.get("for", "0s"))), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
    assert not balanced("max by (group) (x > 0") and not balanced("rate(x[5m)]")


def test_the_metric_name_reader_finds_what_an_expression_reads() -> None:
    assert metric_names('histogram_quantile(0.95, sum by (service, le) (rate(a_seconds_bucket{x="y"}[5m])))') == {
        "a_seconds_bucket"
    }
    assert metric_names('max by (group) (b) > 0 and deriv(c[$__rate_interval]) > 0 / up{job="j"}') == {"b", "c", "up"}


# Redis ACL users: the template compose loads is the code's, and each API and worker connects as its service's user.


def test_the_redis_acl_template_is_the_one_the_code_generates() -> None:
    committed = (ROOT / "deploy/redis/users.acl.template").read_text()
    assert committed == redis_acl.template(), (
        "run `python -m grants_shared.redis_acl > deploy/redis/users.acl.template`"
    )


def test_redis_starts_with_the_acl_template_and_a_password_for_every_user() -> None:
    redis = service("redis")
    assert redis["entrypoint"] == ["sh", "/etc/redis/start.sh"]
    assert mounted("redis", "/etc/redis/users.acl.template") == ROOT / "deploy/redis/users.acl.template"
    script = mounted("redis", "/etc/redis/start.sh").read_text()
    assert f"for user in {' '.join(u.upper() for u in redis_acl.USERS)}; do" in script
    for user in redis_acl.USERS:
        assert redis["environment"][f"REDIS_PASSWORD_{user.upper()}"].startswith("${"), "a password is interpolated"


@pytest.mark.parametrize("name", [f"{svc}-{kind}" for svc in SERVICES for kind in ("api", "worker")])
def test_each_api_and_worker_connects_to_redis_as_its_services_user(name: str) -> None:
    svc = name.rsplit("-", 1)[0]
    env = service(name)["environment"]
    assert env["GRANTS_REDIS_USERNAME"] == svc
    assert env["GRANTS_REDIS_PASSWORD"] == f"${{{svc.upper()}_REDIS_PASSWORD:?set {svc.upper()}_REDIS_PASSWORD}}"
    assert service("redis")["environment"][f"REDIS_PASSWORD_{svc.upper()}"].startswith(f"${{{svc.upper()}_REDIS_")


def test_no_other_container_gets_redis_credentials() -> None:
    for name, spec in COMPOSE["services"].items():
        if name.endswith(("-api", "-worker")) or name == "redis":
            continue
        assert not {"GRANTS_REDIS_USERNAME", "GRANTS_REDIS_PASSWORD"} & set(spec.get("environment") or {}), name


def test_production_trusts_the_identity_provider_and_only_the_allocation_worker_holds_client_credentials() -> None:
    built = {
        name: spec["environment"]
        for name, spec in COMPOSE["services"].items()
        if "build" in spec and "environment" in spec
    }
    for name, env in built.items():
        if name == "sandbox-bank":
            continue
        assert env["GRANTS_ENV"] == "production" and env["GRANTS_OIDC_ISSUER"], name
        assert "GRANTS_JWT_SECRET" not in env, f"{name}: development tokens have no place in production"
    holders = {name for name, env in built.items() if "ALLOCATION_OIDC_CLIENT_SECRET" in env}
    assert holders == {"allocation-worker"}
