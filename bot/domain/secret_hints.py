"""A cheap look for what every detect-secrets detector we run needs to find anything.

Scanning a line with detect-secrets runs two dozen plugins and their filters: most of what
redacting a short chat message costs. Each detector needs a literal to be there (a keyword,
a token's prefix, `://`, a key block's `KEY`) or a shape this pattern covers, so a text with
none of them is not scanned. The unit tests check, with texts built from the detectors' own
patterns, that no text detect-secrets would find something in is skipped.
"""

from __future__ import annotations

import re

_CASELESS = "|".join(
    (
        # keywords: KeywordDetector's list (api_key, db_pass, passwd, pwd, secret,
        # contraseña, ...), and those of the AWS, Cloudant, IBM and SoftLayer assignments
        # (key, pw, pass, token); every private key block says KEY
        r"key|pass|pw|secret|contrase|token",
        # token prefixes, case aside: JWT, Slack, OpenAI, Stripe, Square, SendGrid, PyPI,
        # GitHub, GitLab, Mailchimp's data centre
        r"eyj|xox|sk-|k_live|sq0csp|sg\.|pypi-|gh[pousr]_|gl[a-z]+-|gr1348941|-us\d",
        r"hooks\.slack\.com|softlayer",  # Slack's webhook host, SoftLayer's URLs
    )
)
_CASE_SENSITIVE = "|".join(
    (
        # what the URL detectors need beyond `://` (an indicator's URL has none of it):
        # credentials before an `@` (basic auth, Cloudant)
        r"://[^\s:@]*:[^\s@]*@",
        r"\d{8}:",  # Telegram's bot id and its colon (a hash's run of digits has none)
        # prefixes: AWS key ids, Artifactory, Twilio, Discord
        r"A3T|ABIA|ACCA|AKIA|ASIA|AKC|AP[\dA-F]|(?:AC|SK)[a-z0-9]{32}|[MNO][\w-]{23}",
    )
)
_HINTS = re.compile(f"(?i:{_CASELESS})|{_CASE_SENSITIVE}")
# The same look, split so that the engine can skip ahead: on ASCII text, where ignoring case
# is lowering it, the caseless hints are plain literals over the lowered text (one pass for
# every first letter they can start with) and the others are searched as they are. The
# single alternation of a `(?i:...)` group is tried branch by branch at every position:
# four times slower on a chat line.
_CASELESS_LOWERED = re.compile(_CASELESS)
_CASED = re.compile(_CASE_SENSITIVE)


def may_hold_secret(text: str) -> bool:
    """False only when no detector detect-secrets runs here can find anything in `text`."""
    if text.isascii():
        return (
            _CASELESS_LOWERED.search(text.lower()) is not None or _CASED.search(text) is not None
        )
    return _HINTS.search(text) is not None
