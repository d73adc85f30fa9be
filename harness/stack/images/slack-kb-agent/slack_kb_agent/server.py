"""The agent's HTTP server: /health, /metrics (Prometheus), /query, and fault switches for tests.

    GET  /health                 200 when PostgreSQL and Redis answer and the release is sound, else 503
    GET  /metrics                Prometheus text format, with the runbook's metric names
    GET  /query?q=TEXT           one knowledge-base query (uses the LLM unless its breaker is off)
    POST /admin/fault?mode=M     M = errors (the LLM answers 502) | slow (queries take 2.5 s) | clear

It listens on SLACK_KB_BIND:SLACK_KB_PORT (127.0.0.1:9090 unless the compose file says otherwise).
"""
import json
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import psutil
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from . import config
from .knowledge_base import KnowledgeBase, connect_db, connect_redis

logging.basicConfig(
    stream=sys.stdout,
    level=logging.INFO,
    format="%(asctime)s %(levelname)s slack_kb_agent %(message)s",
)
log = logging.getLogger("slack_kb_agent")

registry = CollectorRegistry()
BUILD = Gauge("slack_kb_agent_build_info", "Release currently running.", ["release"], registry=registry)
REQUESTS = Counter("slack_kb_agent_requests", "Knowledge-base queries handled.", registry=registry)
ERRORS = Counter("slack_kb_agent_errors", "Knowledge-base queries that failed.", registry=registry)
ERROR_RATE = Gauge("slack_kb_agent_error_rate", "Errors per second over the last 5 minutes.", registry=registry)
DURATION = Histogram(
    "slack_kb_agent_query_duration_seconds",
    "Knowledge-base query latency.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
    registry=registry,
)
MEMORY = Gauge("slack_kb_agent_memory_usage_bytes", "Resident set size of the process.", registry=registry)
MEMORY_LIMIT = Gauge(
    "slack_kb_agent_memory_limit_bytes", "Memory limit of the container (its cgroup).", registry=registry
)
DOCUMENTS = Gauge("slack_kb_agent_kb_documents", "Documents loaded in the knowledge base.", registry=registry)
DOCUMENT_LIMIT = Gauge("slack_kb_agent_kb_documents_limit", "The knowledge base's document limit.", registry=registry)
MESSAGES = Counter("slack_kb_agent_slack_messages", "Slack messages handled.", ["status"], registry=registry)
FEATURE = Gauge("slack_kb_agent_feature_enabled", "1 when a feature is on (its circuit breaker closed).", ["feature"], registry=registry)
RATE_LIMIT_REMAINING = Gauge(
    "slack_kb_agent_rate_limit_remaining", "Calls left in the API's current rate-limit window.", ["api"], registry=registry
)
RATE_LIMITED = Counter("slack_kb_agent_rate_limit_hits", "Calls refused by an API's rate limit.", ["api"], registry=registry)

STARTED = time.time()
faults = {"errors": False, "slow": False}
recent_errors = deque()
lock = threading.Lock()
kb = None


def cgroup_memory_limit():
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = open(path).read().strip()
        except OSError:
            continue
        if text != "max" and int(text) < psutil.virtual_memory().total:
            return int(text)
    return psutil.virtual_memory().total


def errors_per_second():
    cutoff = time.time() - 300
    with lock:
        while recent_errors and recent_errors[0] < cutoff:
            recent_errors.popleft()
        return len(recent_errors) / 300.0


BUILD.labels(release=config.RELEASE).set(1)
ERROR_RATE.set_function(errors_per_second)
MEMORY.set_function(lambda: psutil.Process().memory_info().rss)
MEMORY_LIMIT.set_function(cgroup_memory_limit)
DOCUMENTS.set_function(lambda: len(kb.documents) if kb else 0)
DOCUMENT_LIMIT.set_function(lambda: kb.max_documents if kb else 0)
FEATURE.labels(feature="llm").set(1 if config.LLM_ENABLED else 0)
FEATURE.labels(feature="vector_search").set(1 if config.VECTOR_SEARCH_ENABLED else 0)
RATE_LIMIT_REMAINING.labels(api="slack").set(50)
RATE_LIMIT_REMAINING.labels(api="openai").set(500 if config.LLM_ENABLED else 0)
for status in ("received", "answered", "failed"):
    MESSAGES.labels(status=status)
for api in ("slack", "openai"):
    RATE_LIMITED.labels(api=api)


def health():
    checks = {}
    try:
        conn = connect_db()
        with conn.cursor() as cur:
            cur.execute("select 1")
        conn.close()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        checks["database"] = f"unreachable: {str(error).strip().splitlines()[0]}"
    try:
        connect_redis().ping()
        checks["redis"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["redis"] = f"unreachable: {error}"
    problems = [f"{name} {state}" for name, state in checks.items() if state != "ok"]
    if config.BROKEN:
        problems.insert(0, f"release {config.RELEASE} is broken: {config.BROKEN}")
    return {
        "status": "unhealthy" if problems else "healthy",
        "release": config.RELEASE,
        "uptime_seconds": round(time.time() - STARTED, 1),
        "checks": checks,
        "features": {"llm": config.LLM_ENABLED, "vector_search": config.VECTOR_SEARCH_ENABLED},
        "documents": len(kb.documents) if kb else 0,
        "document_limit": kb.max_documents if kb else None,
        **({"problems": problems} if problems else {}),
    }


def query(text):
    started = time.time()
    REQUESTS.inc()
    MESSAGES.labels(status="received").inc()
    try:
        if faults["slow"]:
            time.sleep(2.5)
        hits = kb.search(text) if kb else []
        if config.LLM_ENABLED:
            if faults["errors"]:
                raise RuntimeError("upstream LLM call returned 502 Bad Gateway")
            RATE_LIMIT_REMAINING.labels(api="openai").dec()
        MESSAGES.labels(status="answered").inc()
        return {"answer": hits[0][1] if hits else None, "documents": len(hits), "llm": config.LLM_ENABLED}
    except Exception:
        ERRORS.inc()
        MESSAGES.labels(status="failed").inc()
        with lock:
            recent_errors.append(time.time())
        raise
    finally:
        DURATION.observe(time.time() - started)


class Handler(BaseHTTPRequestHandler):
    server_version = "slack-kb-agent"

    def log_message(self, fmt, *args):
        log.info("%s %s", self.address_string(), fmt % args)

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/health":
            report = health()
            if report["status"] != "healthy":
                log.error("health check failed: %s", "; ".join(report["problems"]))
            return self.reply(200 if report["status"] == "healthy" else 503, report)
        if url.path == "/metrics":
            return self.reply(200, generate_latest(registry), CONTENT_TYPE_LATEST)
        if url.path == "/query":
            text = parse_qs(url.query).get("q", [""])[0]
            try:
                return self.reply(200, query(text))
            except Exception as error:  # noqa: BLE001
                log.error("query failed: %s", error)
                return self.reply(500, {"error": str(error)})
        return self.reply(404, {"error": "not found"})

    def do_POST(self):
        url = urlparse(self.path)
        if url.path == "/admin/fault":
            mode = parse_qs(url.query).get("mode", [""])[0]
            if mode in faults:
                faults[mode] = True
            elif mode == "clear":
                for name in faults:
                    faults[name] = False
            else:
                return self.reply(400, {"error": "mode is errors, slow or clear"})
            log.warning("fault %s applied; faults now %s", mode, faults)
            return self.reply(200, {"faults": faults})
        return self.reply(404, {"error": "not found"})


def main():
    global kb
    for attempt in range(30):
        try:
            kb = KnowledgeBase().load()
            break
        except Exception as error:  # noqa: BLE001
            log.error("knowledge base not loaded yet (attempt %d): %s", attempt + 1, str(error).strip().splitlines()[0])
            time.sleep(1)
    server = ThreadingHTTPServer((config.BIND, config.PORT), Handler)
    server.daemon_threads = True
    # PID 1 in a container ignores SIGTERM unless it handles it: docker-compose restart would wait 10 s.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    log.info(
        "release %s listening on %s:%d (llm %s, vector search %s, %d documents, limit %s)",
        config.RELEASE, config.BIND, config.PORT,
        "on" if config.LLM_ENABLED else "off", "on" if config.VECTOR_SEARCH_ENABLED else "off",
        len(kb.documents) if kb else 0, kb.max_documents if kb else "?",
    )
    server.serve_forever()
    log.info("stopped")


if __name__ == "__main__":
    main()
