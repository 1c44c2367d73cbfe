"""Enterprise data on the ledger, as the dashboard uses it: submitted and verified versions.

A report of an enterprise for period ``YYYY`` (:mod:`zerocity.ledger.mrv`) carries, in the batch
of each submitted version, the activity records it was computed from (an ``mrv.data.submitted``
entry whose evidence is the records CSV). The dashboard's rule for using them (zerocity's choice):

* **Enterprise accounts** use each entity's latest submitted version of a year that is not
  rejected (``reported`` or ``verified``), so a reporter sees its account change as soon as it
  submits; the page shows the version's state beside the numbers.
* **City totals** use verified versions only: the city inventory's rows of that entity and year
  are replaced by the latest verified version's rows.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from zerocity.ledger.log import Ledger
from zerocity.ledger.mrv import ReportState, report_status
from zerocity.store.db import session_scope

__all__ = ["Version", "apply_versions", "entity_versions", "report_states"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Version:
    """One submitted version of an entity's yearly report.

    Attributes
    ----------
    report : str
        Report id (``report:<tenant>:<entity>:<period>``).
    entity : str
        USCC of the entity.
    year : int
        Reporting year.
    version : int
        Version number (1, 2...).
    state : str
        ``reported``, ``verified`` or ``rejected``.
    records : pandas.DataFrame
        The activity records of the version (from the ledger's evidence).
    """

    report: str
    entity: str
    year: int
    version: int
    state: str
    records: pd.DataFrame

    @property
    def key(self) -> tuple[str, int, str]:
        """(report, version, state): what identifies this version's effect on the numbers."""
        return (self.report, self.version, self.state)


def report_states(engine: Engine) -> list[dict[str, object]]:
    """Every MRV report of a tenant, replayed, newest activity first.

    Returns
    -------
    list of dict
        ``report``, ``entity``, ``period``, ``state``, ``version``, ``reporter``, ``decision``, ``versions``.
    """
    ledger = Ledger(engine)
    subjects: dict[str, int] = {}
    for e in ledger.entries(type_prefix="mrv."):
        subjects[e.subject] = e.index
    out = []
    for subject in sorted(subjects, key=lambda s: -subjects[s]):
        status = report_status(ledger, subject)
        out.append(
            {
                "report": subject,
                "entity": status["entity"],
                "period": subject.rsplit(":", 1)[-1],
                "state": status["state"],
                "version": status["version"],
                "reporter": status["reporter"],
                "decision": status["decision"],
                "versions": status["versions"],
            }
        )
    return out


def _records_of(ledger: Ledger, engine: Engine, report: str, submission_index: int) -> pd.DataFrame | None:
    """The records CSV submitted in the batch of a version (the data entry just before it), or None."""
    if submission_index < 1:
        return None
    with session_scope(engine) as session:
        entry = ledger.entry(submission_index - 1, session=session)
        if entry.type != "mrv.data.submitted" or entry.subject != report or not entry.data.get("evidence"):
            return None
        content = bytes(ledger.evidence(entry.data["evidence"][0], session=session).content)
    return pd.read_csv(io.BytesIO(content), dtype={"entity": str, "district": str, "record_id": str})


def entity_versions(engine: Engine, *, verified_only: bool) -> list[Version]:
    """For each (entity, year): the latest verified version, or the latest not rejected one.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database (its ledger).
    verified_only : bool
        True: latest verified version (city totals); False: latest reported or verified (accounts).
    """
    ledger = Ledger(engine)
    chosen: list[Version] = []
    for report in report_states(engine):
        period = str(report["period"])
        entity = str(report["entity"])
        if not entity or not period.isdigit():
            continue  # the city's own report, or a sub-annual period
        versions = list(report["versions"])  # type: ignore[call-overload]
        wanted = {ReportState.VERIFIED.value} if verified_only else {ReportState.VERIFIED.value, "reported"}
        candidates = [v for v in versions if v["state"] in wanted]
        if not candidates:
            continue
        latest = candidates[-1]
        records = _records_of(ledger, engine, str(report["report"]), int(latest["index"]))
        if records is None:
            continue
        chosen.append(
            Version(str(report["report"]), entity, int(period), int(latest["version"]), str(latest["state"]), records)
        )
    return chosen


def apply_versions(records: pd.DataFrame, versions: list[Version]) -> pd.DataFrame:
    """Records with each version's entity and year replaced by the version's own rows.

    Rows of the version outside its entity and year are ignored; its record ids get the prefix
    ``<entity>-<year>-v<version>-`` so they cannot collide with the rows kept.
    """
    if not versions:
        return records
    entity = records["entity"].fillna("").astype(str) if "entity" in records else pd.Series("", index=records.index)
    year = pd.to_numeric(records["year"], errors="coerce")
    keep = pd.Series(True, index=records.index)
    parts = []
    for v in versions:
        keep &= ~((entity == v.entity) & (year == v.year))
        own = v.records[
            (v.records["entity"].fillna("").astype(str) == v.entity)
            & (pd.to_numeric(v.records["year"], errors="coerce") == v.year)
        ].copy()
        if "record_id" in own:
            ids = own["record_id"].fillna("").astype(str)
            own["record_id"] = [f"{v.entity}-{v.year}-v{v.version}-{rid or i + 1}" for i, rid in enumerate(ids)]
        parts.append(own)
    return pd.concat([records[keep.to_numpy()], *parts], ignore_index=True)
