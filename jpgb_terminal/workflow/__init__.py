"""Bench workflows: what a screen asks for, as plain Python run on a worker thread."""
