using System;
using Infrar.Generators.Catalog;

namespace Infrar.Generators.CatalogCode;

/// <summary>The catalog compiled into the generator, with each provider's code: the generator is the one reader that needs it.</summary>
internal static class GeneratorCatalog
{
    private static readonly Lazy<InfrarCatalog> Embedded = new(() => CatalogLoader.Load(CatalogLoader.ReadEmbeddedFiles(), CapabilityCodeReader.Read));

    public static InfrarCatalog Default => Embedded.Value;
}
