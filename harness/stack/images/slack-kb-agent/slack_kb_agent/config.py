"""Settings, all from the container's environment (the compose file sets them)."""
import os


def flag(name: str, default: bool = True) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


RELEASE = os.environ.get("SLACK_KB_RELEASE", "dev")
# A release built broken starts, but /health answers 503 with this reason.
BROKEN = os.environ.get("SLACK_KB_BROKEN", "")
BIND = os.environ.get("SLACK_KB_BIND", "127.0.0.1")
PORT = int(os.environ.get("SLACK_KB_PORT", "9090"))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:5432/slack_kb_agent")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
DEFAULT_MAX_DOCUMENTS = int(os.environ.get("KB_MAX_DOCUMENTS", "10000"))
# Circuit breakers: the features the runbook's Scenario 4 turns off.
LLM_ENABLED = flag("LLM_ENABLED")
VECTOR_SEARCH_ENABLED = flag("VECTOR_SEARCH_ENABLED")
