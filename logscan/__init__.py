"""logscan: decode Agora Chat SDK error codes in client logs."""

__version__ = "0.1.0"
