"""Personal data: encryption at rest, retention (purge), erasure on request and reveals.

Two layers: `crypto` (key file, sealing) and `fields` (which fields are personal) sit below the
services, which seal and clear with them; `purge` and `reveal` are use cases above the
services, and `erase` (one customer, now) is above `purge`, whose anonymisation it reuses.
"""
