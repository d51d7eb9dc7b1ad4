"""Which customer fields are personal data, and what an anonymised record holds instead.

Below the services: the customer service, retention and sync all read these lists.
"""

from __future__ import annotations

ANONYMISED_NAME = "anonymised"
PERSONAL_FIELDS = ("name", "address", "phone", "id_doc_no")
