"""Device drivers and simulators: scales, barcode scanners, label printers (no Textual here)."""
