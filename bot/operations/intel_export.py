"""STIX and MISP exports of an incident's indicators, as one organisation may see them
(or the whole record), each recorded on the timeline with the SHA-256 of what it handed out."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from warroom.bot.config import Config
from warroom.bot.domain.disclosure import Where, withheld_title
from warroom.bot.domain.language import ENGLISH
from warroom.bot.domain.tlp import Tlp
from warroom.bot.operations import intel, intel_changes
from warroom.bot.operations.export import ExportError
from warroom.bot.operations.intel import IntelView
from warroom.bot.operations.visibility import redacted
from warroom.storage.store import UnitOfWork

FORMATS = ("stix", "misp")


def export_intel(
    uow: UnitOfWork,
    config: Config,
    key: str,
    *,
    form: str,
    as_org: str | None,
    at: datetime,
    profile: str = "oasis",
) -> str:
    """The document, as text; its export is on the timeline when this unit of work commits.
    What was said but not scanned yet (a crash before extraction) is scanned first."""
    incident = uow.incidents.by_key(key, for_update=True)
    if incident is None or incident.id is None:
        raise ExportError(f"there is no incident {key}")
    orgs = uow.incidents.orgs(incident.id)
    if as_org is not None and as_org not in orgs:
        raise ExportError(f"{as_org} does not take part in {key}")
    scan_now(uow, config, incident.id)
    view = IntelView.of(uow, config, incident)
    title, title_tlp = _title(view, as_org)
    # each format's library is imported for its own export only (pymisp takes a while)
    if form == "stix":
        from warroom.bot.operations import stix_export

        names = {o.id: o.display for o in config.orgs}
        made = stix_export.bundle(
            view, as_org, title=title, title_tlp=title_tlp, org_names=names, profile=profile
        )
        text = json.dumps(made, indent=2, ensure_ascii=False)
    else:
        from warroom.bot.operations import misp_export

        sharing_group = config.intel.misp_sharing_group
        event = misp_export.event(
            view, as_org, title=title, title_tlp=title_tlp, sharing_group=sharing_group
        )
        text = json.dumps(event, indent=2, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    label = "STIX 2.1" if form == "stix" else "MISP"
    intel_changes.exported(uow, incident, form=label, as_org=as_org, digest=digest, at=at)
    return text


def scan_now(uow: UnitOfWork, config: Config, incident_id: int) -> None:
    work = intel.pending(uow, incident_id)
    if work is not None:
        found = intel.scanner(config)(work.texts)
        intel.store_found(uow, config, work, found)


def _title(view: IntelView, as_org: str | None) -> tuple[str, Tlp]:
    seen = view.seen
    said = seen.title_said
    if as_org is None:
        return f"{seen.incident.key}: {redacted(said.text)}", said.tlp
    shown = seen.bare_title(as_org, Where.VIEW)
    if shown is None:
        return withheld_title(seen.incident.key, said.tlp).say(ENGLISH), Tlp.CLEAR
    return f"{seen.incident.key}: {shown}", said.tlp
