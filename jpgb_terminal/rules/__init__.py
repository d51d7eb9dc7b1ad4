"""Pure rules from the service terms: states, holds and deadlines, decisions, pricing, customs.

Functions of their arguments: no store, no SQL, no use case, no device.  They read reference
data through `jpgb_terminal.refdata` and may use the bottom modules (clock, errors, tracking).
"""
