"""Price lists published through the store, and the lists a bench prices with.

The program ships its price lists in `data/price_lists/`. A new list can also be published
into a store (`jpgb prices publish`): the TOML text is kept as it was written, in the
`price_list` table and in a `price_list.published` event, and sync carries it to central and
from there to every bench, where it prices boxes from its `effective_from` on.

Every bench parses the same text against its own `data/services.toml`, so every bench reads
the same fees. Where lists published at two benches collide (the same `effective_from`, or a
version the program already ships), every bench settles it the same way: the list that came
first (packaged before published, then by publication time and event id) is used, the later
one is ignored and shown as such by `jpgb prices list`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, select
from sqlmodel import Session

from jpgb_terminal import refdata as refs
from jpgb_terminal.clock import WAREHOUSE_TZ, as_utc, now
from jpgb_terminal.events import PriceListPublished
from jpgb_terminal.refdata import PriceList, ReferenceDataError
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.errors import NotAllowed, ServiceError
from jpgb_terminal.services.events import append_event
from jpgb_terminal.store.handles import PRICE_LIST
from jpgb_terminal.store.tables import PublishedPriceList

VERSION_MAX = 40
FEE_MAX = 10_000_000  # yen for one parcel: above this a fee is a typo


class PriceListRefused(ServiceError):
    """A price list that cannot be published, or a published one this program cannot read."""


@dataclass(frozen=True)
class Published:
    """The outcome of a publication: the list, and whether anything was written."""

    version: str
    effective_from: datetime
    added: bool
    message: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueEntry:
    """One price list known to a store: where it comes from and whether it is used."""

    version: str
    effective_from: datetime
    source: str  # "packaged" or "published"
    file: str | None = None
    station_id: str | None = None
    operator: str | None = None
    published_at: datetime | None = None
    ignored: str | None = None
    unreadable: str | None = None
    in_force: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields, times with the warehouse's offset."""
        return {
            "version": self.version,
            "effective_from": _local(self.effective_from),
            "source": self.source,
            "file": self.file,
            "station_id": self.station_id,
            "operator": self.operator,
            "published_at": _local(self.published_at, "seconds") if self.published_at else None,
            "in_force": self.in_force,
            "ignored": self.ignored,
            "unreadable": self.unreadable,
        }


def _load_toml(text: str, source: str) -> dict[str, object]:
    """The TOML document, or PriceListRefused for text no list can be (also nesting too deep
    for the parser, or a number too long to convert)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceListRefused(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise PriceListRefused(f"{source}: not a price list: nested too deeply") from None
    except (ValueError, OverflowError) as exc:
        reason = str(exc).split(";")[0]  # Python's hint about its own limit is not for the user
        raise PriceListRefused(f"{source}: not a price list: {reason}") from None


def parse_price_list_text(text: str, source: str) -> PriceList:
    """TOML text checked like a packaged price list; PriceListRefused says what is wrong."""
    raw = _load_toml(text, source)
    try:
        parsed = refs.parse_price_list(raw, refs.services(), source)
    except ReferenceDataError as exc:
        raise PriceListRefused(str(exc)) from None
    except (OverflowError, RecursionError, ValueError) as exc:
        # A date at the edge of the calendar overflows when it is moved to UTC.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise PriceListRefused(f"{source}: not a usable price list: {reason}") from None
    if len(parsed.version) > VERSION_MAX:
        raise PriceListRefused(
            f"{source}: version {parsed.version!r} is over {VERSION_MAX} characters"
        )
    return parsed


def parse_publishable(text: str, source: str) -> PriceList:
    """A list checked for publication: valid, in yen, every service priced, no absurd fee.

    Stricter than reading a list already published elsewhere, which only needs to be valid.
    """
    parsed = parse_price_list_text(text, source)
    try:
        refs.check_price_list_keys(_load_toml(text, source), source)
    except ReferenceDataError as exc:
        raise PriceListRefused(str(exc)) from None
    try:
        as_utc(parsed.effective_from)
    except OverflowError:
        raise PriceListRefused(
            f"{source}: effective_from {parsed.effective_from} is out of range"
        ) from None
    version = parsed.version
    if not version.isprintable() or version != version.strip():
        raise PriceListRefused(
            f"{source}: version {version!r} must be printable text without surrounding spaces"
        )
    if parsed.currency != "JPY":
        raise PriceListRefused(
            f'{source}: currency {parsed.currency!r}: fees are whole yen (currency = "JPY")'
        )
    unpriced = [code for code in refs.services() if code not in parsed.fees]
    if unpriced:
        raise PriceListRefused(
            f"{source}: no prices for {', '.join(unpriced)}: a list prices every service, "
            "or nothing could be quoted for those from its start"
        )
    for code, zones in parsed.fees.items():
        for zone, column in zones.items():
            for bound, fee in column.items():
                if fee > FEE_MAX:
                    raise PriceListRefused(
                        f"{source}: services.{code}: fee {fee} at {bound} g zone {zone} "
                        f"is absurd (over {FEE_MAX:,} JPY)"
                    )
    return parsed


def publish_price_list(session: Session, actor: Actor, text: str, *, source: str) -> Published:
    """Check a price list and store it with its event, for sync to take to every bench."""
    # Refused with nothing written: an invalid list, a version already published or shipped
    # with other content, a start time another list has. The same text again is a no-op.
    # A setup action like importing pre-alerts: the station's administrator, not an operator.
    if actor.operator is not None or actor.role is not None:
        raise NotAllowed(
            "publishing a price list is a setup command (`jpgb prices publish`), "
            "not an operator action"
        )
    parsed = parse_publishable(text, source)
    version = parsed.version
    packaged = refs.price_lists()
    shipped = next((p for p in packaged if p.version == version), None)
    if shipped is not None:
        if _same_prices(shipped, parsed):
            return Published(
                version,
                parsed.effective_from,
                added=False,
                message=(
                    f"price list {version} ships with the program ({shipped.source}); "
                    "nothing to publish"
                ),
            )
        raise PriceListRefused(
            f"{source}: version {version} is the price list shipped as {shipped.source}, with "
            "other prices; a list's prices never change: give the new list a new version"
        )
    conn = session.connection()
    rows = _published_rows(conn)
    same = next((r for r in rows if r.version == version), None)
    if same is not None:
        where = f"at {same.station_id} on {_local(same.published_at, 'seconds')}"
        if same.body == text:
            return Published(
                version,
                parsed.effective_from,
                added=False,
                message=f"price list {version} was already published {where}; nothing changed",
            )
        raise PriceListRefused(
            f"{source}: price list {version} was already published {where} with other text; "
            "a list's prices never change: give the new list a new version"
        )
    start = parsed.effective_from
    for other in packaged:
        if other.effective_from == start:
            raise PriceListRefused(
                f"{source}: price list {other.version} ({other.source}) already starts at "
                f"{_local(start)}; give the new list another effective_from"
            )
    for row in rows:
        if row.effective_from == start:
            raise PriceListRefused(
                f"{source}: price list {row.version} (published at {row.station_id}) already "
                f"starts at {_local(start)}; give the new list another effective_from"
            )
    at = now()
    event = append_event(
        session,
        actor,
        PriceListPublished(version=version, effective_from=as_utc(start), body=text),
        at=at,
    )
    conn.execute(
        PRICE_LIST.insert(),
        {
            "version": version,
            "effective_from": start,
            "body": text,
            "published_at": at,
            "station_id": actor.station_id,
            "operator": actor.operator,
            "event_id": event.event_id,
        },
    )
    warnings: tuple[str, ...] = ()
    if start <= at:
        warnings = (
            f"effective_from {_local(start)} has passed: the list is in force at once here, "
            "and at other benches from their next sync",
        )
    return Published(
        version,
        start,
        added=True,
        message=f"price list {version} published, in force from {_local(start)}",
        warnings=warnings,
    )


def price_lists_in_store(conn: Connection | Session) -> tuple[PriceList, ...]:
    """The packaged price lists plus those published in the store, oldest first."""
    # A published list this program cannot read (one naming a service this version does not
    # know) raises PriceListRefused: pricing with an older list instead would bill other fees
    # than the benches that can read it.
    lists, _ = _resolve(conn)
    return lists


def price_list_catalogue(
    conn: Connection | Session, at: datetime | None = None
) -> list[CatalogueEntry]:
    """Every price list the store knows, oldest first, marking the one in force at `at`."""
    lists, entries = _resolve(conn, strict=False)
    current: str | None = None
    # With an unreadable list in the store nothing is in force: pricing refuses (see above).
    if not any(e.unreadable for e in entries):
        try:
            current = refs.price_list_in_force(at or now(), lists).version
        except refs.NoPriceListInForce:
            current = None
    marked = [
        replace(e, in_force=True) if e.version == current and not (e.ignored or e.unreadable) else e
        for e in entries
    ]
    return sorted(marked, key=lambda e: (e.effective_from, e.ignored is not None))


# --- reading the store -------------------------------------------------------------------------


def _published_rows(conn: Connection | Session) -> list[PublishedPriceList]:
    stmt = select(PRICE_LIST).order_by(PRICE_LIST.c.published_at, PRICE_LIST.c.event_id)
    return [PublishedPriceList(**row) for row in conn.execute(stmt).mappings()]


def _resolve(
    conn: Connection | Session, *, strict: bool = True
) -> tuple[tuple[PriceList, ...], list[CatalogueEntry]]:
    packaged = refs.price_lists()
    lists = list(packaged)
    entries = [
        CatalogueEntry(p.version, p.effective_from, "packaged", file=p.source) for p in packaged
    ]
    for row in _published_rows(conn):
        entry = CatalogueEntry(
            row.version,
            row.effective_from,
            "published",
            station_id=row.station_id,
            operator=row.operator,
            published_at=row.published_at,
        )
        try:
            parsed = _parse_published(row.version, row.body, row.station_id)
        except PriceListRefused as exc:
            if strict:
                raise
            entries.append(replace(entry, unreadable=str(exc)))
            continue
        clash = next(
            (
                p
                for p in lists
                if p.version == parsed.version or p.effective_from == parsed.effective_from
            ),
            None,
        )
        if clash is not None:
            if clash.version == parsed.version and _same_prices(clash, parsed):
                continue  # the program now ships the list that was published before
            what = "version" if clash.version == parsed.version else "effective_from"
            entries.append(
                replace(entry, ignored=f"same {what} as {clash.version}, which came first")
            )
            continue
        lists.append(parsed)
        entries.append(entry)
    return refs.check_price_lists(lists), entries


@lru_cache(maxsize=64)
def _parse_published(version: str, body: str, station_id: str) -> PriceList:
    # Cached on the text itself: every quote reads the lists, and a body never changes.
    source = f"price list {version} published at {station_id}"
    parsed = parse_price_list_text(body, source)
    if parsed.version != version:
        raise PriceListRefused(f"{source}: its text names version {parsed.version}")
    return parsed


def _same_prices(a: PriceList, b: PriceList) -> bool:
    return (
        a.version == b.version
        and a.effective_from == b.effective_from
        and a.currency == b.currency
        and _plain(a) == _plain(b)
    )


def _plain(p: PriceList) -> dict[str, dict[str, dict[int, int]]]:
    return {s: {z: dict(c) for z, c in zones.items()} for s, zones in p.fees.items()}


def _local(at: datetime, timespec: str = "auto") -> str:
    return as_utc(at).astimezone(WAREHOUSE_TZ).isoformat(timespec=timespec)
