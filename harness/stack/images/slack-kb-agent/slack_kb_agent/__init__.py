"""Slack KB Agent: the service the incident runbook was written for, as a test deployment runs it."""
