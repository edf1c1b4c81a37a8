using System;

namespace Infrar.Generators.Catalog;

/// <summary>The catalog is malformed; the message names the file and what is wrong.</summary>
internal sealed class CatalogException(string message, Exception? innerException = null) : Exception(message, innerException);
