// The load benchmark starts PostgreSQL with Debian's binaries and runs infrar serve in bubblewrap: it runs on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
