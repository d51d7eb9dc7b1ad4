"""Tests of encryption at rest, retention and reveals."""
