"""Use cases shared by the screens and the command line, each inside the caller's transaction.

Every change writes its event (`services.events.append_event`).  May import audit, manifests,
privacy's `crypto` and `fields`, settings, the rules, the store, reference data and the bottom
modules; never sync, the projections, the workflow or a face.
"""
