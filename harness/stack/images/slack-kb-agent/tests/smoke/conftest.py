"""`pytest tests/smoke/ --target=production`: the smoke tests of a deployed agent.

--target names where the agent is: `production` is the agent in this container's own deployment
(http://127.0.0.1:$SLACK_KB_PORT), anything else a base URL.
"""
import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--target", default="production", help="production, or the agent's base URL")


@pytest.fixture
def base_url(request):
    target = request.config.getoption("--target")
    if target == "production":
        return f"http://127.0.0.1:{os.environ.get('SLACK_KB_PORT', '9090')}"
    return target.rstrip("/")
