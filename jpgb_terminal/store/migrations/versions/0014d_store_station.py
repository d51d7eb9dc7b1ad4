"""store station: the store records which bench it belongs to

Revision ID: 0014d
Revises: 0013
Create Date: 2026-12-04

A station's store takes the id of the events written in it (not those pulled from central);
one whose events leave several ids possible is refused, naming them, until
`jpgb db upgrade --station ID` says which is this bench's.  The central store holds every
station's events and takes none.  Nothing else changes: no event is touched.
"""

from collections.abc import Sequence

from alembic import context, op

from jpgb_terminal.store.identity import choose_station, store_station, write_station
from jpgb_terminal.store.role import is_central

revision: str = "0014d"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if is_central(conn) or store_station(conn) is not None:
        return
    # `jpgb db upgrade --station ID` hands the id over (and who named it) through the config.
    attributes = context.config.attributes
    wanted: str | None = attributes.get("station_id")
    origin: str | None = attributes.get("station_origin") if wanted else None
    # An explicit id alone decides only a store with nothing of its own; the events decide
    # otherwise (or refuse, before anything is written).
    chosen = choose_station(conn, wanted, origin)
    if chosen is not None:
        write_station(conn, chosen)


def downgrade() -> None:
    op.execute("DELETE FROM store_info WHERE key = 'station_id'")
