"""Device drivers and simulators: scales, barcode scanners, label printers.

Drivers write nothing: they hand readings and scans to a callback and never import the store,
a use case, sync, SQLAlchemy or Textual; only the bottom modules are below them.
"""
