// The service tests start PostgreSQL with Debian's binaries, shell scripts and Chromium: they run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
