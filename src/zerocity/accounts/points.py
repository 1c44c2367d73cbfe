"""Points of household carbon inclusion: conversion, FIFO expiry, redemptions, ledger records.

Points are earned from the ``awarded_kg`` of scored events (:func:`zerocity.accounts.household.score_events`)
at ``points_per_kg`` and expire ``expiry_months`` after the award; a redemption spends the oldest
unexpired points first (FIFO) and is refused when the balance is short. The ledger keeps a hash of
household id, event id and reduction per award, never the personal payload, so that a household's
data can be deleted on request while the ledger stays verifiable.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from zerocity.accounts.household import household_digest
from zerocity.errors import ZerocityError
from zerocity.ledger.log import EntryDraft, Ledger

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "Catalogue",
    "PointsError",
    "PointsPolicy",
    "award_points",
    "balances_fast",
    "load_catalogue",
    "process_redemptions",
    "record_awards",
]

log = logging.getLogger(__name__)


class PointsError(ZerocityError, ValueError):
    """A catalogue or redemption the points system refuses."""

    code = "points"


@dataclass(frozen=True)
class PointsPolicy:
    """Conversion and expiry.

    Attributes
    ----------
    points_per_kg : float
        Points per kg CO2e awarded [points kg-1].
    expiry_months : int
        Points expire this many calendar months after their award.
    decimals : int
        Points are rounded down to this many decimals.
    """

    points_per_kg: float = 1.0
    expiry_months: int = 12
    decimals: int = 2


@dataclass(frozen=True)
class Catalogue:
    """Redeemable items: id -> (name, cost in points)."""

    items: Mapping[str, tuple[str, float]]

    def cost(self, item: str) -> float:
        """Cost of an item [points]; an unknown item raises :class:`PointsError`."""
        if item not in self.items:
            raise PointsError(f"no catalogue item {item!r}; items: {', '.join(sorted(self.items))}")
        return self.items[item][1]


def load_catalogue(source: Path | str | Mapping[str, Any]) -> Catalogue:
    """A catalogue from a YAML file or a dict ``{item_id: {name: str, points: number > 0}}``."""
    name = "catalogue"
    if isinstance(source, (str, Path)):
        name = str(source)
        try:
            raw = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise PointsError(f"{name}: cannot read catalogue: {exc}") from exc
    else:
        raw = source
    if not isinstance(raw, Mapping) or not raw:
        raise PointsError(f"{name}: a catalogue is a non-empty mapping of item ids")
    items: dict[str, tuple[str, float]] = {}
    for item, spec in raw.items():
        if not isinstance(spec, Mapping) or not isinstance(spec.get("points"), (int, float)) or spec["points"] <= 0:
            raise PointsError(f"{name}: item {item!r}, field points: must be a positive number")
        items[str(item)] = (str(spec.get("name", item)), float(spec["points"]))
    return Catalogue(items)


def award_points(scored: pd.DataFrame, policy: PointsPolicy = PointsPolicy()) -> pd.DataFrame:
    """Points of the accepted events (columnar).

    Returns
    -------
    DataFrame
        ``household_id``, ``event_id``, ``timestamp``, ``points`` and ``expires`` (award time plus
        ``expiry_months``), accepted events only, in time order.
    """
    acc = scored[scored["status"] == "accepted"]
    scale = 10.0**policy.decimals
    points = np.floor(acc["awarded_kg"].to_numpy() * policy.points_per_kg * scale + 1e-9) / scale
    ts = pd.to_datetime(acc["timestamp"])
    out = pd.DataFrame(
        {
            "household_id": acc["household_id"].to_numpy(),
            "event_id": acc["event_id"].to_numpy(),
            "timestamp": ts.to_numpy(),
            "points": points,
            "expires": (ts + pd.DateOffset(months=policy.expiry_months)).to_numpy(),
        }
    )
    return out.sort_values("timestamp", kind="stable").reset_index(drop=True)


def process_redemptions(
    awards: pd.DataFrame,
    redemptions: pd.DataFrame,
    catalogue: Catalogue,
    *,
    as_of: pd.Timestamp | str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply redemptions FIFO against unexpired points and compute balances at ``as_of``.

    Parameters
    ----------
    awards : DataFrame
        From :func:`award_points`.
    redemptions : DataFrame
        ``redemption_id``, ``household_id``, ``timestamp``, ``item``.
    as_of : timestamp
        Balances exclude points expired by then.

    Returns
    -------
    results : DataFrame
        The redemptions with ``points``, ``status`` (``redeemed``/``refused``) and ``reason``
        (``ok``, ``insufficient_balance``, ``unknown_item``).
    balances : DataFrame
        ``household_id``, ``earned``, ``redeemed``, ``expired``, ``balance`` [points].
    """
    when = pd.Timestamp(as_of)
    red = redemptions.copy()
    red["timestamp"] = pd.to_datetime(red["timestamp"])
    red = red.sort_values("timestamp", kind="stable")
    lots: dict[str, deque[list[Any]]] = {}
    for h, t, p, e in awards[["household_id", "timestamp", "points", "expires"]].itertuples(index=False):
        lots.setdefault(str(h), deque()).append([pd.Timestamp(t), float(p), pd.Timestamp(e)])
    status: dict[Any, tuple[float, str, str]] = {}
    redeemed: dict[str, float] = {}
    for idx, h, t, item in red[["household_id", "timestamp", "item"]].itertuples():
        if item not in catalogue.items:
            status[idx] = (np.nan, "refused", "unknown_item")
            continue
        cost = catalogue.cost(str(item))
        queue = lots.get(str(h), deque())
        usable = [lot for lot in queue if lot[0] <= t < lot[2] and lot[1] > 0]
        if sum(lot[1] for lot in usable) + 1e-9 < cost:
            status[idx] = (cost, "refused", "insufficient_balance")
            continue
        left = cost
        for lot in usable:  # oldest first: lots are in award order
            take = min(lot[1], left)
            lot[1] -= take
            left -= take
            if left <= 1e-12:
                break
        redeemed[str(h)] = redeemed.get(str(h), 0.0) + cost
        status[idx] = (cost, "redeemed", "ok")
    results = red.copy()
    results["points"] = [status[i][0] for i in red.index]
    results["status"] = [status[i][1] for i in red.index]
    results["reason"] = [status[i][2] for i in red.index]
    rows = []
    earned = awards[awards["timestamp"] <= when].groupby("household_id")["points"].sum()
    for h, queue in lots.items():
        live = sum(lot[1] for lot in queue if lot[0] <= when < lot[2])
        expired = sum(lot[1] for lot in queue if lot[2] <= when)
        rows.append((h, float(earned.get(h, 0.0)), redeemed.get(h, 0.0), expired, live))
    balances = pd.DataFrame(rows, columns=["household_id", "earned", "redeemed", "expired", "balance"])
    return results.reset_index(drop=True), balances.sort_values("household_id").reset_index(drop=True)


def balances_fast(awards: pd.DataFrame, *, as_of: pd.Timestamp | str) -> pd.Series:
    """Balances without redemptions (vectorised): unexpired points per household at ``as_of``."""
    when = pd.Timestamp(as_of)
    live = (awards["timestamp"] <= when) & (awards["expires"] > when)
    return awards.loc[live].groupby("household_id")["points"].sum()


def record_awards(
    ledger: Ledger,
    scored: pd.DataFrame,
    *,
    redemptions: pd.DataFrame | None = None,
    policy: PointsPolicy = PointsPolicy(),
    tenant: str = "default",
    actor: str = "platform",
    batch_size: int = 1000,
    key: bytes = b"",
    session: Session | None = None,
) -> list[int]:
    """Append awards, refusals (and redemptions) to the ledger, hashes only, in batches.

    Each entry's payload holds the behaviour's methodology (``id@version``), the reduction and
    points, the status and reason, and ``digest`` = SHA-256 (HMAC with ``key``) of household id,
    event id and reduction: no household id, event id or time of the behaviour. All batches are
    appended in one ledger transaction (one signed tree head per batch): the caller's ``session``
    when given (so that stored events and their entries commit or roll back together), else a
    :meth:`~zerocity.ledger.log.Ledger.transaction` of its own. A redemption frame may carry a
    ``subject`` column (a keyed digest of the household) written as the entries' subject, so that
    a balance can find the household's redemptions without any personal data in the ledger.

    Returns
    -------
    list of int
        Ledger indices of the entries, in input order.
    """
    if batch_size < 1:
        raise PointsError("batch_size must be at least 1")
    scale = 10.0**policy.decimals
    drafts: list[EntryDraft] = []
    cols = ["household_id", "event_id", "methodology", "reduction_kg", "awarded_kg", "status", "reason"]
    for h, e, m, red, aw, st, why in scored[cols].itertuples(index=False):
        accepted = st == "accepted"
        points = float(np.floor(float(aw) * policy.points_per_kg * scale + 1e-9) / scale) if accepted else 0.0
        payload = {
            "digest": household_digest(str(h), str(e), float(red), key),
            "methodology": str(m),
            "reduction_kg": round(float(red), 6),
            "awarded_kg": round(float(aw), 6),
            "points": points,
            "reason": str(why),
        }
        kind = "household.points.awarded" if accepted else "household.event.refused"
        drafts.append(EntryDraft(kind, actor, payload, tenant=tenant))
    if redemptions is not None:
        subjects = redemptions["subject"] if "subject" in redemptions else pd.Series("", index=redemptions.index)
        for rid, h, item, pts, st, why, subject in zip(
            *(redemptions[c] for c in ("redemption_id", "household_id", "item", "points", "status", "reason")),
            subjects,
            strict=True,
        ):
            payload = {
                "digest": household_digest(str(h), str(rid), 0.0 if pd.isna(pts) else float(pts), key),
                "item": str(item),
                "points": None if pd.isna(pts) else float(pts),
                "reason": str(why),
            }
            kind = "household.points.redeemed" if st == "redeemed" else "household.redemption.refused"
            drafts.append(EntryDraft(kind, actor, payload, subject=str(subject or ""), tenant=tenant))
    indices: list[int] = []
    if not drafts:
        return indices
    if session is not None:
        for start in range(0, len(drafts), batch_size):
            got, _ = ledger.append(drafts[start : start + batch_size], session=session)
            indices += got
    else:
        with ledger.transaction() as s:
            for start in range(0, len(drafts), batch_size):
                got, _ = ledger.append(drafts[start : start + batch_size], session=s)
                indices += got
    log.info("recorded %d household entries in %d batch(es)", len(indices), -(-len(drafts) // batch_size))
    return indices
