"""warroom: one war room for security incidents that cross organisational lines.

Installed, `warroom.bot`, `warroom.adapters`, `warroom.commands` and `warroom.storage` sit
inside this package. In a source checkout they are the repository's top-level folders, beside
this one (pyproject's `package-dir` maps them), so the checkout imports them from there.
"""

from pathlib import Path

__version__ = "0.1.0"

_checkout = Path(__file__).parent.parent
if (_checkout / "bot" / "core.py").is_file() and not (Path(__file__).parent / "bot").exists():
    __path__.append(str(_checkout))
