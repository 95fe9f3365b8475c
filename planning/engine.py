"""The indicator engine: values for every unit and period, their status, the cache and snapshots.

A value is Σ numerator / Σ denominator over the lowest-level units under a unit (never an
average of rates). Computed indicators take the lowest-level figures from a provider
(planning.providers); the others from the latest manual entries (ManualValue), where a
figure entered for a unit itself wins over the sum of its children.

Cache and incremental update: IndicatorValue holds (numerator, denominator) per indicator,
unit and period; CachedPeriod says which (indicator, period) are complete. invalidate(unit,
codes) records dirty units; process_dirty() recomputes, for each dirty lowest-level unit, its
own figures and adds the difference to the rows of its path to the city (at most four rows),
leaving every other unit untouched. sync_audit() feeds the dirty set from accounts.AuditEntry
rows written since its last run, so providers never call planning.
"""

import datetime as dt
import inspect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from planning import providers
from planning.conf import cache_seconds
from planning.models import AuditCursor, CachedPeriod, DirtyUnit, Indicator, IndicatorValue, ManualValue, Snapshot
from planning.periods import Period, parse
from shequ.bulk import BulkInserter

COMPUTED, REPORTED = "computed", "reported"
ACHIEVED, ON_TRACK, AT_RISK, NO_DATA = "achieved", "on_track", "at_risk", "no_data"
STATUS_LABELS = {ACHIEVED: "已达标", ON_TRACK: "进度正常", AT_RISK: "滞后", NO_DATA: "无数据"}
SOURCE_LABELS = {COMPUTED: "系统计算", REPORTED: "人工填报"}
BASELINE_DATE = dt.date(2020, 12, 31)


# ---------------------------------------------------------------- the tree by code


def level_of(code: str) -> str:
    if code[4:] == "00000000":
        return "city"
    if code[6:] == "000000":
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


@lru_cache(maxsize=16384)
def path_of(code: str) -> tuple[str, ...]:
    """The code and its ancestors' codes up to the city."""
    out = [code]
    if code[9:] != "000":
        out.append(code[:9] + "000")
    if code[6:] != "000000":
        out.append(code[:6] + "000000")
    if code[4:] != "00000000":
        out.append(code[:4] + "00000000")
    return tuple(out)


def parent_of(code: str) -> str | None:
    path = path_of(code)
    return path[1] if len(path) > 1 else None


def leaf_level(indicator: Indicator) -> str:
    return "township" if indicator.level == "township" else "village"


def rollup(leaves: dict[str, tuple[float, float]]) -> dict[str, list[float]]:
    """Sum lowest-level (numerator, denominator) up every unit on their paths.

    Level by level (villages into townships, townships into counties, counties into the
    city), so each figure is added once per level above it rather than once per ancestor.
    """
    by_level: dict[str, dict[str, list[float]]] = {"village": {}, "township": {}, "county": {}, "city": {}}
    for code, (num, den) in leaves.items():
        if len(code) == 12:
            by_level[level_of(code)][code] = [float(num), float(den)]
    for child, parent, keep, pad in (("village", "township", 9, "000"), ("township", "county", 6, "000000"),
                                     ("county", "city", 4, "00000000")):
        above = by_level[parent]
        for code, (num, den) in by_level[child].items():
            key = code[:keep] + pad
            acc = above.get(key)
            if acc is None:
                above[key] = [num, den]
            else:
                acc[0] += num
                acc[1] += den
    return {**by_level["village"], **by_level["township"], **by_level["county"], **by_level["city"]}


def rollup_with_overrides(entries: dict[str, tuple[float, float]]) -> dict[str, list[float]]:
    """Like rollup, but a figure entered for a unit itself replaces the sum of its children."""
    out: dict[str, list[float]] = {c: [float(n), float(d)] for c, (n, d) in entries.items() if level_of(c) == "village"}
    for level, below in (("township", "village"), ("county", "township"), ("city", "county")):
        sums: dict[str, list[float]] = {}
        for code, (num, den) in list(out.items()):
            if level_of(code) != below:
                continue
            parent = parent_of(code)
            if parent is None or parent in entries:
                continue
            acc = sums.setdefault(parent, [0.0, 0.0])
            acc[0] += num
            acc[1] += den
        out.update(sums)
        out.update({c: [float(n), float(d)] for c, (n, d) in entries.items() if level_of(c) == level})
    return out


# ---------------------------------------------------------------- periods and status


def window(indicator: Indicator, period: Period) -> tuple[dt.date, dt.date, Period]:
    """(start, end, own period) of an indicator asked for a period.

    A yearly indicator asked for 2025-Q3 is the year so far: 2025-01-01 … 2025-09-30, entered as 2025.
    A monthly indicator asked for 2025 or 2025-Q3 is the period's last month.
    """
    own = period.as_type(indicator.period_type)
    if indicator.period_type == "year":
        return own.start, period.end, own
    return own.start, own.end, own


def expected_value(indicator: Indicator, on: dt.date) -> float | None:
    """The straight path from the 2020 baseline to the target, at a date (None when no path exists)."""
    baseline = indicator.baseline_2020
    if baseline is None:
        if indicator.direction == Indicator.Direction.AT_MOST:
            return None
        baseline = 0.0
    finish = dt.date(indicator.target_year, 12, 31)
    share = (on - BASELINE_DATE).days / max((finish - BASELINE_DATE).days, 1)
    share = min(max(share, 0.0), 1.0)
    return baseline + (indicator.target - baseline) * share


def achieved(indicator: Indicator, value: float) -> bool:
    eps = 1e-9
    if indicator.direction == Indicator.Direction.AT_MOST:
        return value <= indicator.target + eps
    if indicator.direction == Indicator.Direction.RANGE and indicator.target_max is not None:
        return indicator.target - eps <= value <= indicator.target_max + eps
    return value >= indicator.target - eps


def status_of(indicator: Indicator, value: float | None, on: dt.date) -> str:
    if value is None:
        return NO_DATA
    if achieved(indicator, value):
        return ACHIEVED
    path = expected_value(indicator, on)
    if path is not None:
        if indicator.direction == Indicator.Direction.AT_MOST:
            if value <= path + 1e-9:
                return ON_TRACK
        elif value >= path - 1e-9:
            return ON_TRACK
    return AT_RISK


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


# ---------------------------------------------------------------- computing


def _providers() -> dict[str, tuple[str, providers.Provider]]:
    return providers.discover()


def source_of(indicator: Indicator, found: dict[str, Any] | None = None) -> str:
    found = _providers() if found is None else found
    return COMPUTED if indicator.code in found else REPORTED


def manual_entries(indicator: Indicator, own: Period, prefix: str = "") -> dict[str, tuple[float, float]]:
    """The latest manual entry of every unit for the indicator's own period."""
    rows = ManualValue.objects.filter(indicator=indicator, period=own.label)
    if prefix:
        rows = rows.filter(unit_id__startswith=prefix)
    latest: dict[str, tuple[float, float]] = {}
    for unit, num, den in rows.order_by("unit_id", "-entered_at", "-id").values_list("unit_id", "numerator", "denominator"):
        latest.setdefault(str(unit), (num, den))
    return latest


def compute(indicator: Indicator, period: Period, found: dict[str, Any] | None = None) -> tuple[str, dict[str, list[float]]]:
    """(source, {unit_code: [numerator, denominator]}) for every unit with figures."""
    found = _providers() if found is None else found
    start, end, own = window(indicator, period)
    if indicator.code in found:
        return COMPUTED, rollup(found[indicator.code][1](start, end))
    return REPORTED, rollup_with_overrides(manual_entries(indicator, own))


def _known_codes() -> set[str]:
    from places.models import OrgUnit

    return set(OrgUnit.objects.values_list("code", flat=True))


@transaction.atomic
def refresh(period: Period, indicators: Iterable[Indicator] | None = None) -> int:
    """Recompute and cache the given indicators (all by default) for every unit; returns rows written."""
    found = _providers()
    known = _known_codes()
    now = timezone.now()
    written = 0
    for indicator in list(indicators if indicators is not None else Indicator.objects.all()):
        # One refresh of an (indicator, period) at a time: the marker row is the lock.
        marker, _ = CachedPeriod.objects.get_or_create(indicator=indicator, period=period.label,
                                                       defaults={"computed_at": now, "source": ""})
        CachedPeriod.objects.select_for_update().filter(pk=marker.pk).first()
        source, values = compute(indicator, period, found)
        written += _write_cache(indicator, period.label, source, [(c, v) for c, v in values.items() if c in known], now)
        CachedPeriod.objects.filter(pk=marker.pk).update(computed_at=now, source=source)
    return written


VALUE_FIELDS = ["indicator_id", "unit_code", "period", "numerator", "denominator", "source", "computed_at"]


def _write_cache(indicator: Indicator, label: str, source: str, rows: list[tuple[str, list[float]]], now: dt.datetime) -> int:
    """Bring one (indicator, period) of the cache to the new figures, writing only what changed.

    Returns the number of rows the (indicator, period) holds. Raw SQL with bound parameters and the
    project's bulk writer for new rows: no model instances.
    """
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    stamp = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_code, id, numerator, denominator, source FROM {table} "  # noqa: S608
                       "WHERE indicator_id = %s AND period = %s", [indicator.pk, label])
        old = {row[0]: row[1:] for row in cursor.fetchall()}
    inserts, updates = [], []
    for code, (num, den) in rows:
        before = old.pop(code, None)
        if before is None:
            inserts.append((indicator.pk, code, label, num, den, source, stamp))
        elif before[1] != num or before[2] != den or before[3] != source:
            updates.append((num, den, source, stamp, before[0]))
    with connection.cursor() as cursor:
        # The table name comes from the model's meta; every value is a bound parameter.
        if old:
            IndicatorValue.objects.filter(pk__in=[v[0] for v in old.values()]).delete()
        if updates:
            cursor.executemany(f"UPDATE {table} SET numerator = %s, denominator = %s, source = %s, computed_at = %s "  # noqa: S608
                               "WHERE id = %s", updates)
    BulkInserter(IndicatorValue, VALUE_FIELDS).write(inserts)
    return len(rows)


def invalidate(unit_code: str, indicator_codes: Iterable[str] | None = None) -> None:
    """Mark a unit's figures as stale for some indicators (all by default)."""
    codes = list(indicator_codes) if indicator_codes is not None else list(Indicator.objects.values_list("code", flat=True))
    DirtyUnit.objects.bulk_create([DirtyUnit(unit_code=unit_code, indicator_code=c) for c in codes], ignore_conflicts=True)


def _call_for_leaf(function: providers.Provider, start: dt.date, end: dt.date, leaves: list[str]) -> dict[str, tuple[float, float]]:
    """Figures of a few lowest-level units; providers that accept prefix= are asked for just those."""
    try:
        accepts_prefix = "prefix" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        accepts_prefix = False
    if accepts_prefix:
        out: dict[str, tuple[float, float]] = {}
        for leaf in leaves:
            prefix = leaf[:9] if level_of(leaf) == "township" else leaf
            out.update({k: v for k, v in function(start, end, prefix=prefix).items() if k == leaf})  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so
        return out
    everything = function(start, end)
    return {leaf: everything[leaf] for leaf in leaves if leaf in everything}


@transaction.atomic
def process_dirty() -> int:
    """Bring cached values of dirty units up to date along their paths; returns path rows touched."""
    dirty = list(DirtyUnit.objects.select_for_update().values_list("pk", "unit_code", "indicator_code"))
    if not dirty:
        return 0
    by_indicator: dict[str, set[str]] = defaultdict(set)
    for _, unit, code in dirty:
        by_indicator[code].add(unit)
    found = _providers()
    touched = 0
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=by_indicator)}
    for code, units in by_indicator.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        lowest = leaf_level(indicator)
        whole = (
            indicator.code not in found
            or any(level_of(u) in ("city", "county") for u in units)
            or (lowest == "village" and any(level_of(u) == "township" for u in units))
        )
        leaves = sorted({u[:9] + "000" if lowest == "township" else u for u in units})
        for label in CachedPeriod.objects.filter(indicator=indicator).values_list("period", flat=True):
            period = parse(label)
            if whole:
                refresh(period, [indicator])
                touched += 1
                continue
            start, end, _ = window(indicator, period)
            fresh = _call_for_leaf(found[indicator.code][1], start, end, leaves)
            touched += _apply_deltas(indicator, label, leaves, fresh)
    DirtyUnit.objects.filter(pk__in=[pk for pk, _, _ in dirty]).delete()
    return touched


def _apply_deltas(indicator: Indicator, label: str, leaves: list[str], fresh: dict[str, tuple[float, float]]) -> int:
    old = {
        row.unit_code: (row.numerator, row.denominator)
        for row in IndicatorValue.objects.filter(indicator=indicator, period=label, unit_code__in=leaves)
    }
    now = timezone.now()
    touched = 0
    for leaf in leaves:
        num, den = fresh.get(leaf, (0.0, 0.0))
        old_num, old_den = old.get(leaf, (0.0, 0.0))
        d_num, d_den = num - old_num, den - old_den
        if not d_num and not d_den:
            continue
        for code in path_of(leaf):
            updated = IndicatorValue.objects.filter(indicator=indicator, period=label, unit_code=code).update(
                numerator=F("numerator") + d_num, denominator=F("denominator") + d_den, computed_at=now)
            if not updated:
                IndicatorValue.objects.create(indicator=indicator, period=label, unit_code=code, numerator=d_num,
                                              denominator=d_den, source=COMPUTED, computed_at=now)
            touched += 1
    return touched


def sync_audit() -> int:
    """Feed the dirty set from audit rows written since the last run; returns entries read.

    An action "<app>.<verb>" with a unit code dirties that unit for the indicators the app
    provides; actions of the register ("people.…") dirty every computed indicator, since
    households and residents are the denominators of many.
    """
    from accounts.models import AuditEntry

    cursor, _ = AuditCursor.objects.get_or_create(name="indicators")
    entries = list(AuditEntry.objects.filter(pk__gt=cursor.last_id).exclude(unit_code="")
                   .order_by("pk").values_list("pk", "action", "unit_code")[:50_000])
    if not entries:
        return 0
    found = _providers()
    by_app: dict[str, list[str]] = defaultdict(list)
    for code, (app, _) in found.items():
        by_app[app].append(code)
    rows = []
    for _, action, unit in entries:
        app = action.split(".", 1)[0]
        if app == "planning":
            continue
        codes = list(found) if app == "people" else by_app.get(app, [])
        rows += [DirtyUnit(unit_code=unit, indicator_code=c) for c in codes]
    DirtyUnit.objects.bulk_create(rows, ignore_conflicts=True)
    AuditCursor.objects.filter(pk=cursor.pk).update(last_id=entries[-1][0])
    return len(entries)


# ---------------------------------------------------------------- reading values


@dataclass
class Value:
    indicator: Indicator
    unit_code: str
    period: str
    numerator: float | None
    denominator: float | None
    source: str
    status: str
    frozen: float | None = None  # the period-end snapshot value, when it differs (a correction)

    @property
    def value(self) -> float | None:
        if self.numerator is None or self.denominator is None:
            return None
        return ratio(self.numerator, self.denominator)

    @property
    def target(self) -> float:
        return self.indicator.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.indicator.code, "name": self.indicator.name, "value": self.value,
            "numerator": self.numerator, "denominator": self.denominator, "target": self.indicator.target,
            "source": self.source, "status": self.status,
        }


def ensure_cached(period: Period, indicators: list[Indicator]) -> None:
    """Fill missing or expired cache entries for a period, after applying the dirty set."""
    sync_audit()
    process_dirty()
    ttl = dt.timedelta(seconds=cache_seconds())
    found = _providers()
    cached = {
        c.indicator_id: c for c in CachedPeriod.objects.filter(period=period.label, indicator__in=indicators)
    }
    now = timezone.now()
    stale = [
        i for i in indicators
        if i.pk not in cached or now - cached[i.pk].computed_at > ttl or cached[i.pk].source != source_of(i, found)
    ]
    if stale:
        refresh(period, stale)


def values(unit_codes: list[str], period: Period, *, fresh: bool = False,
           indicators: list[Indicator] | None = None) -> dict[str, list[Value]]:
    """Values of every indicator (or the given ones) for each unit: {unit_code: [Value, …]}."""
    chosen = list(indicators if indicators is not None else Indicator.objects.all())
    if fresh:
        refresh(period, chosen)
    else:
        ensure_cached(period, chosen)
    rows = IndicatorValue.objects.filter(period=period.label, unit_code__in=unit_codes, indicator__in=chosen)
    by_key = {(r.indicator_id, r.unit_code): r for r in rows}
    frozen = _frozen(unit_codes, period, chosen)
    found = _providers()
    out: dict[str, list[Value]] = {}
    for code in unit_codes:
        items = []
        for indicator in chosen:
            _, end, _ = window(indicator, period)
            row = by_key.get((indicator.pk, code))
            if row is None or not row.denominator:
                source = source_of(indicator, found) if row is None else row.source
                items.append(Value(indicator, code, period.label, None, None, source, NO_DATA))
                continue
            value = Value(indicator, code, period.label, row.numerator, row.denominator, row.source,
                          status_of(indicator, ratio(row.numerator, row.denominator), end))
            snap = frozen.get((indicator.pk, code))
            if snap is not None and snap.value is not None and value.value is not None and abs(snap.value - value.value) > 1e-9:
                value.frozen = snap.value
            items.append(value)
        out[code] = items
    return out


def _frozen(unit_codes: list[str], period: Period, indicators: list[Indicator]) -> dict[tuple[int, str], Snapshot]:
    first = Snapshot.objects.filter(period=period.label, unit_code__in=unit_codes, indicator__in=indicators, revision=1)
    return {(s.indicator_id, s.unit_code): s for s in first}


def unit_values(unit_code: str, period: Period, *, fresh: bool = False) -> list[Value]:
    return values([unit_code], period, fresh=fresh)[unit_code]


# ---------------------------------------------------------------- snapshots


@transaction.atomic
def freeze(period: Period) -> dict[str, int]:
    """Freeze the period-end values of every unit; a later run that finds different values adds corrections."""
    refresh(period)
    now = timezone.now()
    latest: dict[tuple[int, str], Snapshot] = {}
    for snap in Snapshot.objects.filter(period=period.label).order_by("revision"):
        latest[(snap.indicator_id, snap.unit_code)] = snap
    new, corrected = [], 0
    for row in IndicatorValue.objects.filter(period=period.label).iterator(chunk_size=5000):
        prev = latest.get((row.indicator_id, row.unit_code))
        if prev is not None and abs(prev.numerator - row.numerator) < 1e-9 and abs(prev.denominator - row.denominator) < 1e-9 \
                and prev.source == row.source:
            continue
        revision = 1 if prev is None else prev.revision + 1
        corrected += prev is not None
        new.append(Snapshot(indicator_id=row.indicator_id, unit_code=row.unit_code, period=period.label, revision=revision,
                            numerator=row.numerator, denominator=row.denominator, source=row.source, frozen_at=now))
    Snapshot.objects.bulk_create(new, batch_size=2000)
    return {"frozen": len(new) - corrected, "corrections": corrected}


def corrections(unit_code: str, period: Period) -> list[Snapshot]:
    return list(Snapshot.objects.filter(unit_code=unit_code, period=period.label, revision__gt=1).select_related("indicator"))
