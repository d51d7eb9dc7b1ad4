"""The audit chain: hashing events as they are written, verifying stored chains, weight evidence."""
