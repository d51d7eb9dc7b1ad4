"""Reference data: the tables shipped in `data/` (TOML), read, validated, typed and cached.

The one place below the rules that reads files: `loader` finds and parses a table, `parse`
checks it (field by field through `fields`) into the typed values of `model`, and `tables`
serves each shipped table once.  May import only the standard library and the bottom layer
(`jpgb_terminal.tracking`); the rules, services and faces read reference data through the
names re-exported here.
"""

from jpgb_terminal.refdata.loader import data_dir, load_toml
from jpgb_terminal.refdata.model import (
    CHECKLIST_KEYS,
    CUSTOMS_FILE,
    HOLD_REASON_CODES,
    HOLD_REASONS_FILE,
    LABEL_MAX,
    PRICE_LIST_DIR,
    PROHIBITED_FILE,
    SERVICES_FILE,
    CustomsForm,
    CustomsRules,
    HoldReason,
    LithiumPolicy,
    NoPriceListInForce,
    PriceList,
    ProhibitedCategory,
    ReferenceDataError,
    Service,
    ServiceKind,
    WeightSegment,
)
from jpgb_terminal.refdata.parse import (
    brackets_from_segments,
    check_price_list_keys,
    check_price_lists,
    parse_customs_rules,
    parse_hold_reasons,
    parse_price_list,
    parse_prohibited_categories,
    parse_services,
)
from jpgb_terminal.refdata.tables import (
    customs_rules,
    hold_reason,
    hold_reasons,
    price_list_in_force,
    price_lists,
    prohibited_categories,
    prohibited_category,
    service,
    services,
    validate_all,
)

__all__ = [
    "CHECKLIST_KEYS",
    "CUSTOMS_FILE",
    "HOLD_REASONS_FILE",
    "HOLD_REASON_CODES",
    "LABEL_MAX",
    "PRICE_LIST_DIR",
    "PROHIBITED_FILE",
    "SERVICES_FILE",
    "CustomsForm",
    "CustomsRules",
    "HoldReason",
    "LithiumPolicy",
    "NoPriceListInForce",
    "PriceList",
    "ProhibitedCategory",
    "ReferenceDataError",
    "Service",
    "ServiceKind",
    "WeightSegment",
    "brackets_from_segments",
    "check_price_list_keys",
    "check_price_lists",
    "customs_rules",
    "data_dir",
    "hold_reason",
    "hold_reasons",
    "load_toml",
    "parse_customs_rules",
    "parse_hold_reasons",
    "parse_price_list",
    "parse_prohibited_categories",
    "parse_services",
    "price_list_in_force",
    "price_lists",
    "prohibited_categories",
    "prohibited_category",
    "service",
    "services",
    "validate_all",
]
