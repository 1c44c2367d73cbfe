"""The household page's view model: footprint, behaviour events, points and redemption.

A household user reaches only its own data: every call takes the household from the logged-in
principal (:func:`zerocity.service.households.own_household`), never from the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.accounts.household import household_footprint
from zerocity.i18n import N_
from zerocity.service import households as service_households
from zerocity.service.principal import Principal
from zerocity.service.settings import Settings
from zerocity.web import figures
from zerocity.web.profile import CityProfile

__all__ = ["CATEGORY_IDS", "household_view"]

Translate = Callable[..., str]

#: Footprint categories -> message ids.
CATEGORY_IDS = {
    "housing_kg": N_("web_fp_housing"),
    "transport_kg": N_("web_fp_transport"),
    "food_consumption_kg": N_("web_fp_food"),
}
#: Event statuses -> message ids.
STATUS_IDS = {"accepted": N_("web_event_accepted"), "refused": N_("web_event_refused")}


def household_view(
    session: Session, engine: Engine, settings: Settings, profile: CityProfile, principal: Principal, t: Translate
) -> dict[str, Any]:
    """Footprint of the household's annual use, its events by behaviour, points and the catalogue.

    Returns
    -------
    dict
        ``footprint`` (``housing_kg``, ``transport_kg``, ``food_consumption_kg``, ``total_kg``,
        ``vs_city_pct``) or None, ``by_behaviour`` (events, accepted, kg credited, points per
        behaviour), ``recent`` (latest 20 events), ``balance`` (earned, redeemed, expired,
        balance [points]), ``catalogue`` and ``figures``.
    """
    own = service_households.own_household(principal)
    figs: dict[str, Any] = {}
    footprint = None
    usage = (profile.household_usage or {}).get(own)
    if usage:
        frame = pd.DataFrame([{"household_id": own, "month": "year", **usage}])
        fp = household_footprint(
            frame,
            region=profile.region,
            year=int(profile.statistics["year"].max()),
            city_average_kg=profile.household_average_kg,
            source="household",
        )
        footprint = {k: float(v) for k, v in fp.iloc[0].items() if k.endswith("_kg") or k == "vs_city_pct"}
        bars = pd.DataFrame(
            {
                "x": [t("web_fp_year")] * 3,
                "category": [t(CATEGORY_IDS[c]) for c in CATEGORY_IDS],
                "kg": [footprint[c] for c in CATEGORY_IDS],
            }
        )
        figs["footprint"] = figures.stacked_bars(
            bars, "x", "category", "kg", title=t("web_fp_title"), y_title="kg CO2e"
        )
    doc = service_households.export_own(session, settings, principal=principal)
    events = pd.DataFrame(doc["events"])
    by_behaviour: list[dict[str, Any]] = []
    recent: list[dict[str, Any]] = []
    if not events.empty:
        events["accepted"] = events["status"] == "accepted"
        grouped = events.groupby("behaviour").agg(
            events=("event_id", "count"),
            accepted=("accepted", "sum"),
            awarded_kg=("awarded_kg", "sum"),
            points=("points", "sum"),
        )
        by_behaviour = grouped.reset_index().sort_values("points", ascending=False).to_dict("records")
        latest = events.sort_values("occurred_at", ascending=False).head(20)
        recent = [
            {**r, "status_name": t(STATUS_IDS[r["status"]]) if r["status"] in STATUS_IDS else str(r["status"])}
            for r in latest.astype(object).where(latest.notna(), None).to_dict("records")
        ]
    balance = service_households.balance(session, engine, settings, principal=principal)
    return {
        "household": own,
        "footprint": footprint,
        "by_behaviour": by_behaviour,
        "recent": recent,
        "balance": balance,
        "catalogue": service_households.catalogue_items(),
        "figures": figs,
    }
