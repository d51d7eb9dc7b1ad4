"""Pure rules from the service terms: parcel states, holds and deadlines, pricing."""
