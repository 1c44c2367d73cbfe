"""Quotas and allowances of enterprises.

*Quotas* (:func:`project_quotas`) are annual energy [tce] or carbon [t CO2e] budgets per entity:
consumption to date, a projection of the year-end use from the monthly (or 15-minute) data so
far, and warnings at configurable shares of the quota with the projected date of crossing them.

*Allowances* are units on the MRV ledger (:mod:`zerocity.ledger.log`): every movement is an entry
of type ``allowance.issued`` (city admin or platform), ``allowance.transferred`` or
``allowance.surrendered`` (for compliance), with subject ``allowance:<tenant>:<pool>`` so that
one pool's entries are one query. Balances are not stored anywhere: :func:`allowance_balances`
replays the entries. A movement that would make a balance negative is refused, and the check and
the append happen in one :meth:`~zerocity.ledger.log.Ledger.transaction` session, so two
concurrent transfers cannot both spend the same units.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.ledger.log import Entry, EntryDraft, Ledger

__all__ = [
    "ALLOWANCE_TYPES",
    "SURRENDERED",
    "AllowanceError",
    "InsufficientAllowanceError",
    "Movement",
    "QuotaKind",
    "allowance_balances",
    "issue_allowances",
    "pool_subject",
    "project_quotas",
    "surrender_allowances",
    "transfer_allowances",
]

log = logging.getLogger(__name__)


class AllowanceError(ZerocityError, ValueError):
    """A movement the allowance rules refuse (message names the account and the balance)."""

    code = "allowance"


class InsufficientAllowanceError(AllowanceError):
    """A transfer or surrender of more units than the sending account holds (error code ``allowance``)."""


class QuotaKind(StrEnum):
    """What a quota limits."""

    ENERGY = "energy"  # [tce]
    CARBON = "carbon"  # [t CO2e]


# ------------------------------------------------------------------------------------------ quotas
def _quota_frame(quotas: pd.DataFrame, source: str) -> pd.DataFrame:
    """Quota rows with ``entity``, ``quota`` (float) and ``kind``; every bad cell raised at once."""
    missing = [c for c in ("entity", "quota") if c not in quotas]
    if missing:
        raise InvalidRecordsError(source, [RecordIssue(0, c, "required column is missing") for c in missing])
    q = quotas.reset_index(drop=True).copy()
    q["entity"] = q["entity"].astype(str).str.strip()
    quota = pd.to_numeric(q["quota"], errors="coerce")
    kind = q["kind"].fillna("") if "kind" in q else pd.Series("", index=q.index)
    kind = kind.astype(str).str.strip().str.lower().replace({"": QuotaKind.ENERGY.value, "nan": QuotaKind.ENERGY.value})
    known = {k.value for k in QuotaKind}
    issues = [
        RecordIssue(int(r) + 1, "quota", "quota must be a number > 0", str(q["quota"].iloc[r]))
        for r in np.flatnonzero((quota.isna() | (quota <= 0)).to_numpy())
    ]
    issues += [
        RecordIssue(int(r) + 1, "kind", f"expected one of {', '.join(sorted(known))}", str(kind.iloc[r]))
        for r in np.flatnonzero(~kind.isin(known).to_numpy())
    ]
    issues += [
        RecordIssue(int(r) + 1, "entity", "required value is empty", "")
        for r in np.flatnonzero((q["entity"] == "").to_numpy())
    ]
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    q["quota"] = quota.astype(float)
    q["kind"] = kind
    return q


def _usage_frame(usage: pd.DataFrame, interval: str, source: str = "<usage>") -> pd.DataFrame:
    """Usage rows with ``entity``, ``start``, ``end`` (timestamps) and ``amount``; issues raised."""
    issues: list[RecordIssue] = []
    for column in ("entity", "time", "amount"):
        if column not in usage:
            issues.append(RecordIssue(0, column, "required column is missing"))
    if issues:
        raise InvalidRecordsError(source, issues)
    df = usage.reset_index(drop=True)
    text = df["time"].astype(str).str.strip()
    monthly = text.str.fullmatch(r"\d{4}-\d{2}")
    start = pd.to_datetime(text.where(~monthly, text + "-01"), errors="coerce", format="mixed")
    amount = pd.to_numeric(df["amount"], errors="coerce")
    bad_time, bad_amount = start.isna().to_numpy(), (amount.isna() | (amount < 0)).to_numpy()
    issues += [
        RecordIssue(int(r) + 1, "time", "not a month (YYYY-MM) or a timestamp", str(text.iloc[r]))
        for r in np.flatnonzero(bad_time)
    ]
    issues += [
        RecordIssue(int(r) + 1, "amount", "amount must be a number >= 0", str(df["amount"].iloc[r]))
        for r in np.flatnonzero(bad_amount)
    ]
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    end = start + pd.Timedelta(interval)
    end = end.where(~monthly, start + pd.offsets.MonthBegin(1))
    return pd.DataFrame(
        {"entity": df["entity"].astype(str).str.strip(), "start": start, "end": end, "amount": amount.astype(float)}
    )


def project_quotas(
    quotas: pd.DataFrame,
    usage: pd.DataFrame,
    *,
    year: int | None = None,
    thresholds: Iterable[float] = (0.8, 1.0),
    interval: str = "15min",
    source: str = "<quotas>",
    usage_source: str = "<usage>",
) -> pd.DataFrame:
    """Consumption to date, projected year-end use and warnings for every entity with a quota.

    Projection (per entity; ``t`` = end of the last observed interval of ``year``, ``C`` = use
    from 1 January to ``t``):

    * **seasonal**, when the entity has usage over the whole previous year: ``P = C / s`` with
      ``s`` the share of last year's use that fell before the same date (``t`` minus one year);
      the months still to come are assumed to keep last year's profile;
    * **linear** otherwise (run rate): ``P = C / f`` with ``f`` the elapsed fraction of the year.

    A threshold ``h`` (share of the quota ``Q``) is crossed on the date the cumulative use reaches
    ``h * Q``: from the data when already crossed; else, when ``P >= h * Q``, on the projected path
    (linear: ``t + (hQ - C) / (C / elapsed)``; seasonal: by last year's daily cumulative profile
    scaled to go from ``C`` at ``t`` to ``P`` at the year end).

    Parameters
    ----------
    quotas : pandas.DataFrame
        ``entity``, ``quota`` [tce or t CO2e], optional ``kind`` (``energy``/``carbon``) and
        ``year``.
    usage : pandas.DataFrame
        ``entity``, ``time`` (``YYYY-MM`` for monthly totals, or the start timestamp of an
        ``interval``), ``amount`` [same unit as the quota].
    year : int, optional
        Quota year; default the latest ``year`` of ``quotas``, else the latest year of ``usage``.
    thresholds : iterable of float
        Shares of the quota to warn at [unitless] (default 80 % and 100 %).
    interval : str
        Length of a timestamped reading (pandas offset, default ``15min``).

    Returns
    -------
    pandas.DataFrame
        One row per quota: ``entity``, ``kind``, ``year``, ``quota``, ``consumed``, ``as_of``,
        ``elapsed_share``, ``method`` (``seasonal``/``linear``/``no data``), ``projected``,
        ``projected_share``, and per threshold ``h`` (as a percentage ``p``) ``crosses_<p>``
        (date or NaT) and ``status``: ``ok``, ``reached <p>%`` (the data already crossed the
        highest such threshold) or ``projected <p>%`` (the projection crosses it this year); the
        highest threshold reached or projected wins. A quota without usage in its year (also when
        nobody has usage that year) is ``consumed`` 0, ``as_of`` NaT, ``method`` ``no data``,
        ``projected`` and ``projected_share`` NaN (nothing to project from) and ``ok``.

    Raises
    ------
    InvalidRecordsError
        Bad quota or usage cells (every one, with row and column); no quota year to be found
        (no ``year``, no ``year`` column and no usage).
    """
    q = _quota_frame(quotas, source)
    u = _usage_frame(usage, interval, usage_source)
    y = _quota_year(q, u, year, source)
    q["year"] = y
    y0, y1 = pd.Timestamp(year=y, month=1, day=1), pd.Timestamp(year=y + 1, month=1, day=1)
    p0 = pd.Timestamp(year=y - 1, month=1, day=1)
    year_days = (y1 - y0).days
    cur = u[(u["start"] >= y0) & (u["start"] < y1)]
    consumed = cur.groupby("entity")["amount"].sum()
    as_of = cur.groupby("entity")["end"].max().clip(upper=y1)
    ents_index = q["entity"].to_numpy()
    # reindex, not map: mapping through an empty datetime Series (a year without usage) fails in pandas.
    q["consumed"] = consumed.reindex(ents_index).fillna(0.0).to_numpy(dtype=float)
    q["as_of"] = pd.Series(as_of.reindex(ents_index).to_numpy(dtype="datetime64[ns]"), index=q.index)
    elapsed = (q["as_of"] - y0).dt.total_seconds() / (y1 - y0).total_seconds()
    q["elapsed_share"] = elapsed
    # Last year's daily cumulative profile, entities x days (columnar: one pivot).
    prev = u[(u["start"] >= p0) & (u["start"] < y0)]
    last_day = prev.groupby("entity")["end"].max()
    first_day = prev.groupby("entity")["start"].min()
    full = (last_day >= y0) & (first_day <= p0 + pd.Timedelta(days=31))
    ents = q["entity"].to_numpy()
    prev_days = (y0 - p0).days
    day = ((prev["start"] - p0).dt.days).clip(0, prev_days - 1)
    daily = (
        prev.assign(day=day)
        .pivot_table(index="entity", columns="day", values="amount", aggfunc="sum", fill_value=0.0)
        .reindex(index=ents, columns=range(prev_days), fill_value=0.0)
        .fillna(0.0)
    )
    # Monthly rows put a month's use on its first day; spread them evenly over the month.
    monthly_prev = prev[(prev["end"] - prev["start"]) > pd.Timedelta(days=27)]
    if not monthly_prev.empty:
        daily = _spread_months(prev, p0, prev_days, ents)
    cum = daily.to_numpy().cumsum(axis=1)
    total_prev = cum[:, -1] if cum.shape[1] else np.zeros(len(ents))
    seasonal = q["entity"].isin(full.index[full.to_numpy(dtype=bool)]).to_numpy() & (total_prev > 0)
    # Day index (0-based, fractional) of as_of within the year, mapped onto last year's calendar.
    t_days = ((q["as_of"] - y0).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
    t_idx = np.clip(np.floor(np.nan_to_num(t_days) * prev_days / year_days).astype(int) - 1, -1, prev_days - 1)
    before = np.where(t_idx >= 0, cum[np.arange(len(ents)), np.maximum(t_idx, 0)], 0.0) if len(ents) else cum[:, 0]
    share = np.divide(before, total_prev, out=np.zeros_like(total_prev), where=total_prev > 0)
    seasonal &= share > 0
    c = q["consumed"].to_numpy(dtype=float)
    f = elapsed.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear_p = np.where(f > 0, c / f, np.nan)
        seasonal_p = np.where(seasonal, c / np.where(share > 0, share, 1.0), np.nan)
    projected = np.where(seasonal, seasonal_p, linear_p)
    q["method"] = np.where(q["as_of"].isna(), "no data", np.where(seasonal, "seasonal", "linear"))
    q["projected"] = projected
    q["projected_share"] = projected / q["quota"].where(q["quota"] > 0).to_numpy(dtype=float)
    status = np.full(len(q), "ok", dtype=object)
    quota = q["quota"].to_numpy(dtype=float)
    for h in sorted(float(x) for x in thresholds):
        target = h * quota
        label = f"crosses_{round(h * 100):d}"
        crossed_date = _crossed_from_data(cur, q["entity"], target)
        # Projected crossing. Linear: constant run rate since 1 January.
        rate_per_day = np.divide(c, t_days, out=np.full_like(c, np.nan), where=t_days > 0)
        lin_days = t_days + np.divide(target - c, rate_per_day, out=np.full_like(c, np.nan), where=rate_per_day > 0)
        # Seasonal: remaining use follows last year's cumulative profile after as_of.
        remaining_prev = total_prev - before
        frac_needed = np.divide(target - c, projected - c, out=np.full_like(c, np.inf), where=(projected - c) > 0)
        with np.errstate(invalid="ignore"):
            need = np.where(np.isfinite(frac_needed), before + frac_needed * remaining_prev, np.inf)
        seas_idx = (cum < need[:, None] - 1e-12).sum(axis=1) if cum.shape[1] else np.zeros(len(ents), dtype=int)
        seas_days = (seas_idx + 1) * year_days / prev_days
        proj_days = np.where(seasonal, seas_days, lin_days)
        will = (projected >= target) & (c < target) & np.isfinite(proj_days) & (proj_days <= year_days)
        proj_date = pd.Series(y0 + pd.to_timedelta(np.where(will, proj_days, np.nan), unit="D"), index=q.index)
        q[label] = crossed_date.where(c >= target, proj_date.dt.floor("D").where(will))
        pct = round(h * 100)
        status = np.where(c >= target, f"reached {pct}%", np.where(will, f"projected {pct}%", status))
    q["status"] = status
    return q.reset_index(drop=True)


def _quota_year(q: pd.DataFrame, u: pd.DataFrame, year: int | None, source: str) -> int:
    """The quota year: ``year``, else the latest ``year`` of the quotas, else the latest year of usage."""
    if year is not None:
        return int(year)
    if "year" in q and q["year"].notna().any():
        years = pd.to_numeric(q["year"], errors="coerce")
        bad = np.flatnonzero((years.isna() & q["year"].notna()).to_numpy())
        if len(bad):
            raise InvalidRecordsError(
                source, [RecordIssue(int(r) + 1, "year", "not a year", str(q["year"].iloc[r])) for r in bad]
            )
        return int(years.max())
    if u.empty:
        raise InvalidRecordsError(
            source, [RecordIssue(0, "year", "no quota year: give the year (or a year column) when there is no usage")]
        )
    return int(u["start"].dt.year.max())


def _spread_months(prev: pd.DataFrame, p0: pd.Timestamp, days: int, ents: np.ndarray) -> pd.DataFrame:
    """Daily profile (entities x days) with each reading spread evenly over its interval's days."""
    start_day = ((prev["start"] - p0).dt.days).clip(0, days - 1).to_numpy()
    end_day = ((prev["end"] - p0).dt.days).clip(1, days).to_numpy()
    length = np.maximum(end_day - start_day, 1)
    rep = np.repeat(np.arange(len(prev)), length)
    offsets = np.arange(len(rep)) - np.repeat(np.cumsum(length) - length, length)
    spread = pd.DataFrame(
        {
            "entity": prev["entity"].to_numpy()[rep],
            "day": start_day[rep] + offsets,
            "amount": prev["amount"].to_numpy()[rep] / length[rep],
        }
    )
    return (
        spread.pivot_table(index="entity", columns="day", values="amount", aggfunc="sum", fill_value=0.0)
        .reindex(index=ents, columns=range(days), fill_value=0.0)
        .fillna(0.0)
    )


def _crossed_from_data(cur: pd.DataFrame, entities: pd.Series, target: np.ndarray) -> pd.Series:
    """Date (day of the reading's end) on which the cumulative use first reached ``target``."""
    if cur.empty:  # nothing used in the year: never crossed (and nothing to map the targets onto)
        return pd.Series(pd.NaT, index=entities.index, dtype="datetime64[ns]")
    ordered = cur.sort_values(["entity", "start"])
    cumulative = ordered.groupby("entity")["amount"].cumsum()
    goal = ordered["entity"].map(pd.Series(target, index=entities.to_numpy()).groupby(level=0).first())
    hit = ordered[(cumulative >= goal - 1e-9) & goal.notna()]
    first = hit.groupby("entity")["end"].min()
    dates = pd.to_datetime(first.reindex(entities.to_numpy()).to_numpy())
    return pd.Series(dates, index=entities.index).dt.floor("D")


# ------------------------------------------------------------------------------------- allowances
ALLOWANCE_TYPES: Final[tuple[str, ...]] = ("allowance.issued", "allowance.transferred", "allowance.surrendered")
SURRENDERED: Final[str] = "surrendered"
"""Pseudo-account that holds surrendered units (they never leave it)."""
_PLATFORM_ROLES: Final[frozenset[str]] = frozenset({"platform", "city_admin"})


@dataclass(frozen=True)
class Movement:
    """One allowance movement read back from the ledger."""

    index: int
    type: str
    actor: str
    pool: str
    source: str | None
    target: str | None
    amount: Decimal
    period: str


def pool_subject(pool: str, tenant: str = "default") -> str:
    """Ledger subject of an allowance pool (e.g. one compliance year's carbon allowances)."""
    return f"allowance:{tenant}:{pool}"


def _amount(value: float | str | Decimal) -> Decimal:
    """Positive amount with at most 6 decimals, as an exact decimal (no float drift in balances)."""
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise AllowanceError(f"amount {value!r} is not a number") from exc
    if not d.is_finite() or d <= 0:
        raise AllowanceError(f"amount must be positive, got {value!r}")
    if d != d.quantize(Decimal("0.000001")):
        raise AllowanceError(f"amount {value!r} has more than 6 decimals")
    return d


def _movements(entries: Iterable[Entry]) -> list[Movement]:
    out = []
    for e in entries:
        p = e.payload
        out.append(
            Movement(
                e.index,
                e.type,
                e.actor,
                str(p["pool"]),
                p.get("from"),
                p.get("to"),
                Decimal(str(p["amount"])),
                str(p.get("period", "")),
            )
        )
    return out


def allowance_balances(
    ledger: Ledger, pool: str, *, tenant: str = "default", session: Session | None = None
) -> dict[str, Decimal]:
    """Balance of every account of a pool, replayed from its ``allowance.*`` entries.

    ``issued`` adds to ``to``; ``transferred`` moves from ``from`` to ``to``; ``surrendered``
    removes from ``from`` (and adds to the pseudo-account ``surrendered``). Accounts that reach
    zero stay listed.
    """
    entries = ledger.entries(type_prefix="allowance.", subject=pool_subject(pool, tenant), session=session)
    balances: dict[str, Decimal] = {}
    for m in _movements(entries):
        if m.source is not None:
            balances[m.source] = balances.get(m.source, Decimal(0)) - m.amount
        if m.target is not None:
            balances[m.target] = balances.get(m.target, Decimal(0)) + m.amount
    return balances


def _move(
    ledger: Ledger,
    kind: str,
    *,
    actor: str,
    pool: str,
    amount: float | str | Decimal,
    source: str | None,
    target: str | None,
    tenant: str,
    period: str,
    note: str,
) -> int:
    qty = _amount(amount)
    if source == SURRENDERED or (target == SURRENDERED and kind != "surrendered"):
        raise AllowanceError(f"{SURRENDERED!r} is the pseudo-account of surrendered units; nothing leaves or enters it")
    payload: dict[str, Any] = {"pool": pool, "amount": str(qty)}
    if source is not None:
        payload["from"] = source
    if target is not None:
        payload["to"] = target
    if period:
        payload["period"] = period
    if note:
        payload["note"] = note
    with ledger.transaction() as s:
        if source is not None:
            have = allowance_balances(ledger, pool, tenant=tenant, session=s).get(source, Decimal(0))
            if have < qty:
                raise InsufficientAllowanceError(
                    f"{kind} of {qty} from {source!r} in pool {pool!r} refused: the balance is {have}, "
                    "and a balance never goes negative"
                )
        draft = EntryDraft(f"allowance.{kind}", actor, payload, subject=pool_subject(pool, tenant), tenant=tenant)
        indices, _ = ledger.append([draft], session=s)
    log.info("allowance.%s %s in %s (entry %d)", kind, qty, pool, indices[0])
    return indices[0]


def issue_allowances(
    ledger: Ledger,
    *,
    actor: str,
    pool: str,
    to: str,
    amount: float | str | Decimal,
    tenant: str = "default",
    period: str = "",
    note: str = "",
    role: str | None = None,
) -> int:
    """Issue (allocate) ``amount`` allowances [t CO2e or tce] to account ``to``; returns the entry index.

    Parameters
    ----------
    actor : str
        Who issues: ``platform`` or ``city_admin`` (the command line), or a person's name whose
        ``role`` is given (the API passes ``user:<name>`` with role ``city_admin``); the entry
        records it.
    role : str, optional
        The role of ``actor`` when ``actor`` is a name; default ``actor`` itself.

    Raises
    ------
    AllowanceError
        When the role is not ``platform`` or ``city_admin`` (only the city issues), or the amount
        is not positive.
    """
    if (role or actor) not in _PLATFORM_ROLES:
        raise AllowanceError(f"only the platform or the city admin issues allowances, not {actor!r} ({role or actor})")
    return _move(
        ledger,
        "issued",
        actor=actor,
        pool=pool,
        amount=amount,
        source=None,
        target=to,
        tenant=tenant,
        period=period,
        note=note,
    )


def transfer_allowances(
    ledger: Ledger,
    *,
    actor: str,
    pool: str,
    source: str,
    to: str,
    amount: float | str | Decimal,
    tenant: str = "default",
    note: str = "",
) -> int:
    """Move ``amount`` allowances from ``source`` to ``to``; refused when ``source`` has too few.

    Raises
    ------
    InsufficientAllowanceError
        When the balance of ``source`` is below ``amount`` (checked and appended under the
        ledger's write lock).
    AllowanceError
        When ``source == to``, or the amount is not positive.
    """
    if source == to:
        raise AllowanceError(f"a transfer needs two different accounts, got {source!r} twice")
    return _move(
        ledger,
        "transferred",
        actor=actor,
        pool=pool,
        amount=amount,
        source=source,
        target=to,
        tenant=tenant,
        period="",
        note=note,
    )


def surrender_allowances(
    ledger: Ledger,
    *,
    actor: str,
    pool: str,
    source: str,
    amount: float | str | Decimal,
    period: str,
    tenant: str = "default",
    note: str = "",
) -> int:
    """Surrender ``amount`` allowances of ``source`` for compliance in ``period``.

    Raises
    ------
    InsufficientAllowanceError
        When the balance is below ``amount``.
    """
    return _move(
        ledger,
        "surrendered",
        actor=actor,
        pool=pool,
        amount=amount,
        source=source,
        target=SURRENDERED,
        tenant=tenant,
        period=period,
        note=note,
    )
