"""What must hold after an incident before it is called resolved."""
import json
import urllib.error
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_health_is_healthy(base_url):
    status, body = get(f"{base_url}/health")
    report = json.loads(body)
    assert status == 200, report.get("problems")
    assert report["checks"] == {"database": "ok", "redis": "ok"}


def test_knowledge_base_is_loaded(base_url):
    report = json.loads(get(f"{base_url}/health")[1])
    assert report["documents"] > 0, "the knowledge base holds no documents"


def test_a_query_is_answered(base_url):
    status, body = get(f"{base_url}/query?q=runbook")
    assert status == 200, body


def test_metrics_carry_the_runbook_names(base_url):
    status, text = get(f"{base_url}/metrics")
    assert status == 200
    for name in (
        "slack_kb_agent_errors_total",
        "slack_kb_agent_query_duration_seconds_bucket",
        "slack_kb_agent_memory_usage_bytes",
        "slack_kb_agent_memory_limit_bytes",
    ):
        assert name in text, f"{name} missing from /metrics"
