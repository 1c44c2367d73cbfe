"""What changed between two computed inventories, and why.

Records are matched by ``record_id``. Each record's change in tCO2e is attributed to one cause,
checked in this order: the record was added or removed; its activity (amount, unit, activity id,
GPC reference) changed; its factors changed (other factor ids, or the same id with another value
or dataset version); the GWP set changed. The causes' contributions add up to the total change.
"""

from __future__ import annotations

from typing import Any

__all__ = ["diff_inventories"]

_ACTIVITY_FIELDS = ("amount", "unit", "activity", "gpc_ref", "method", "year")


def _factor_values(doc: dict[str, Any]) -> dict[str, tuple[object, object, object]]:
    return {f["factor_id"]: (f.get("value"), f.get("unit"), f.get("dataset_version")) for f in doc.get("factors", [])}


def diff_inventories(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Compare two results of ``zerocity inventory compute --json``.

    Returns
    -------
    dict
        ``old_total_tco2e``, ``new_total_tco2e``, ``change_tco2e``, ``by_cause`` (tCO2e per
        cause), ``gwp`` (old, new), ``factors_changed`` (ids whose value, unit or version differ),
        ``factors_added``, ``factors_removed`` and ``records`` (every record whose emissions or
        inputs changed, with its cause and the details).
    """
    old_f, new_f = _factor_values(old), _factor_values(new)
    changed_factors = sorted(fid for fid in old_f.keys() & new_f.keys() if old_f[fid] != new_f[fid])
    old_r = {str(r["record_id"]): r for r in old.get("records", [])}
    new_r = {str(r["record_id"]): r for r in new.get("records", [])}
    by_cause = {"added": 0.0, "removed": 0.0, "activity": 0.0, "factor": 0.0, "gwp": 0.0}
    records = []
    detail: dict[str, Any]
    for rid in sorted(old_r.keys() | new_r.keys(), key=lambda k: (len(k), k)):
        a, b = old_r.get(rid), new_r.get(rid)
        if a is None and b is not None:
            cause, delta, detail = "added", b["tco2e"], {}
        elif b is None and a is not None:
            cause, delta, detail = "removed", -a["tco2e"], {}
        else:
            assert a is not None and b is not None
            delta = b["tco2e"] - a["tco2e"]
            moved = {k: (a.get(k), b.get(k)) for k in _ACTIVITY_FIELDS if a.get(k) != b.get(k)}
            ids_a, ids_b = set(a.get("factor_ids", [])), set(b.get("factor_ids", []))
            refactored = ids_a != ids_b or any(fid in changed_factors for fid in ids_b)
            if moved:
                cause, detail = "activity", {"fields": moved}
            elif refactored:
                cause, detail = (
                    "factor",
                    {
                        "removed_factor_ids": sorted(ids_a - ids_b),
                        "added_factor_ids": sorted(ids_b - ids_a),
                        "changed_factor_ids": sorted(fid for fid in ids_b & ids_a if fid in changed_factors),
                    },
                )
            elif a.get("gases") == b.get("gases") and delta != 0:
                cause, detail = "gwp", {"gwp": (old.get("gwp"), new.get("gwp"))}
            elif delta == 0:
                continue
            else:
                cause, detail = "factor", {"gases": (a.get("gases"), b.get("gases"))}
        by_cause[cause] += delta
        records.append({"record_id": rid, "cause": cause, "change_tco2e": delta, **detail})
    old_t, new_t = float(old.get("total_tco2e", 0.0)), float(new.get("total_tco2e", 0.0))
    return {
        "old_total_tco2e": old_t,
        "new_total_tco2e": new_t,
        "change_tco2e": new_t - old_t,
        "by_cause": by_cause,
        "gwp": {"old": old.get("gwp"), "new": new.get("gwp")},
        "level": {"old": old.get("level"), "new": new.get("level")},
        "factors_changed": changed_factors,
        "factors_added": sorted(new_f.keys() - old_f.keys()),
        "factors_removed": sorted(old_f.keys() - new_f.keys()),
        "records": records,
    }
