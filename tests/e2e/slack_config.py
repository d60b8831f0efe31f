"""The config both Slack end-to-end tests run `warroom run` with: HTTP mode, one workspace."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """
[storage]
url = "sqlite:///{db}"
[http]
listen = "127.0.0.1:{port}"
[slack]
mode = "http"
api_url = "{api}"
signing_secret_env = "E2E_SLACK_SECRET"
[[orgs]]
id = "acme"
platform = "slack"
workspace = "T0ACME"
bot_token_env = "E2E_SLACK_TOKEN_ACME"
"""


def write_http_config(path: Path, *, db: Path, port: int, api_url: str) -> Path:
    path.write_text(TEMPLATE.format(db=db, port=port, api=api_url))
    return path
