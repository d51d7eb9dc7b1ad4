"""The audit chain: hashing events as they are written, verifying stored chains, weight evidence.

Reads the store (`store`) and the bottom modules; never a use case, sync or a face.
"""
