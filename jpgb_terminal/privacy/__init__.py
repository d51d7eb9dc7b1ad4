"""Personal data: encryption at rest, retention (purge) and reveals."""
