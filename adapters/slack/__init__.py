"""The Slack adapter (slack-bolt's AsyncApp): Socket Mode or the HTTP Events API."""
