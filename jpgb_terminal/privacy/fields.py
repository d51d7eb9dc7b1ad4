"""Which customer fields are personal data, and what an anonymised record holds instead.

Below the services: the customer service, retention and sync all read these lists.  The
anonymised and placeholder names stay in clear (jpgb_terminal.rules.marker_names says why).
"""

from __future__ import annotations

from jpgb_terminal.rules.marker_names import ANONYMISED_NAME, is_marker_name, placeholder_name

__all__ = [
    "ANONYMISED_NAME",
    "NAME_MAX",
    "PERSONAL_FIELDS",
    "PHONE_MAX",
    "is_marker_name",
    "placeholder_name",
]

PERSONAL_FIELDS = ("name", "address", "phone", "id_doc_no")
NAME_MAX = 200  # characters of a customer's name as typed (sealed, it is longer)
PHONE_MAX = 40  # characters of a customer's phone number as typed
