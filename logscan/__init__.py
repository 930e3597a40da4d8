"""logscan: decode Agora Chat SDK error codes in client logs."""

__version__ = "0.1.0"

#: The SDK families, each with its own numbering of codes: the native SDKs (Android, iOS,
#: Flutter, React Native, Unity, Electron) and the Web SDK.
SDKS = ("native", "web")
