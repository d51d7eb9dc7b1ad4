"""Use cases shared by the screens and the command line, each inside the caller's transaction."""
