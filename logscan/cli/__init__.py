"""The command line: options parsed, the library called, results rendered.

``main`` holds the group and the one place errors become messages and exit codes;
``options`` and ``output`` what the commands share; one module per command (group).
Nothing is imported here: ``logscan.cli.entry`` installs the signal handlers first.
"""
