"""Test helpers that need people: the API resource tests and the pytest fixtures of users, beside org's factories
(core's own testing helpers, below org, build no users)."""
