"""The application layer: what a screen or a command asks for, as plain Python.

One function per thing a person does at the bench (receive, weigh, pack, review a hold,
resolve a quarantined event, sync with the bench's pull policy): it checks the PIN where one
is needed, runs the use cases of `jpgb_terminal.services` in a transaction and returns what the
face shows.  Blocking, so the terminal calls it from a worker thread.

May import everything below it (sync, projections, privacy, services, audit, manifests,
settings, devices, rules, store, refdata and the bottom modules); never a face (`screens`,
`app`, `cli`) and never Textual.  The import contracts in pyproject.toml hold this.
"""
