"""JPGB Terminal: the packing-bench program of a Japanese parcel-forwarding warehouse."""

__version__ = "0.1.0"
