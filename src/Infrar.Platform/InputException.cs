namespace Infrar.Platform;

/// <summary>An input file is missing or malformed; the message names the file, and the line where it can.</summary>
internal sealed class InputException(string message, Exception? inner = null) : Exception(message, inner);
