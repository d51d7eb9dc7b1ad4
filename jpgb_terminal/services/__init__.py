"""Use cases shared by the screens and the command line; each runs inside the caller's transaction."""
