"""The Textual screens and dialogs of the terminal, each with its .tcss.

With `jpgb_terminal.app` the only modules that import Textual.  A screen asks the workflow (or
a use case) for what it shows, on a worker thread; nothing below imports a screen.
"""
