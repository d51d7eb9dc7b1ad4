"""Tests of the audit chain, its verifier and the weighing evidence."""
