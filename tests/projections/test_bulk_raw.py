"""The fast insert into a store rebuilt from checked events stores the very bytes the checked
path stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine

from jpgb_terminal.audit.replay import replay_into
from jpgb_terminal.projections import bulk
from jpgb_terminal.services import limits
from jpgb_terminal.services.context import Actor
from jpgb_terminal.services.holds import hold_by_operator
from jpgb_terminal.store import open_store
from tests.factories import jp12
from tests.sync.helpers import seed_people, station, write_parcels


def test_the_option_is_the_one_the_limits_name() -> None:
    assert bulk.UNCHECKED == limits.UNCHECKED


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


def test_unchecked_replay_writes_what_the_checked_one_writes(tmp_path: Path) -> None:
    source = station(tmp_path, "A")
    seed_people(source, "A")
    write_parcels(source, "A", range(1, 30))
    with source.transaction() as s:
        hold_by_operator(s, Actor("A", "aiko", "staff"), jp12(3), "terms_violation", note="x")
    dumps = []
    for unchecked in (False, True):
        path = tmp_path / f"replay-{unchecked}.db"
        open_store(f"sqlite:///{path}").dispose()
        engine = create_engine(f"sqlite:///{path}")
        try:
            with source.engine.connect() as conn, engine.connect() as target:
                if unchecked:
                    target.execution_options(**{limits.UNCHECKED: True})
                outcome = replay_into(conn, target)
                target.commit()
            assert outcome.applied == outcome.events > 60 and not outcome.refused
        finally:
            engine.dispose()
        dumps.append(_dump(path))
    checked, fast = dumps
    assert checked["parcel"] and checked["weight_record"] and checked["hold"]
    assert fast == checked
    source.dispose()
