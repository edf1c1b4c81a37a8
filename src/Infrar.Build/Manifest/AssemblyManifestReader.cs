using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Infrar.Build.Manifest;

/// <summary>
/// Reads, from a compiled assembly, the model the generator wrote (<c>[assembly: AssemblyMetadata("Infrar.Manifest", …)]</c>)
/// and the code's allowances (<c>[assembly: AllowPublicBucket("…")]</c>, <c>[assembly: AllowWideGrant("…")]</c>), without loading it.
/// </summary>
internal static class AssemblyManifestReader
{
    public const string MetadataKey = "Infrar.Manifest";

    /// <summary>The model and allowances, or a null model when the generator did not run on this assembly.</summary>
    public static (ProjectModel? Model, Allowances Allowances) Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        ProjectModel? model = null;
        var publicBuckets = new HashSet<string>(StringComparer.Ordinal);
        var wideGrants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            var name = AttributeName(reader, attribute);
            if (name is not ("System.Reflection.AssemblyMetadataAttribute" or "Infrar.AllowPublicBucketAttribute" or "Infrar.AllowWideGrantAttribute"))
            {
                continue;
            }

            var arguments = attribute.DecodeValue(new StringOnlyTypes()).FixedArguments;
            switch (name)
            {
                case "System.Reflection.AssemblyMetadataAttribute" when arguments.Length == 2 && arguments[0].Value as string == MetadataKey:
                    model = ProjectModel.Parse((string)arguments[1].Value!);
                    break;
                case "Infrar.AllowPublicBucketAttribute" when arguments.Length >= 1:
                    publicBuckets.Add((string)arguments[0].Value!);
                    break;
                case "Infrar.AllowWideGrantAttribute" when arguments.Length >= 1:
                    wideGrants.Add((string)arguments[0].Value!);
                    break;
            }
        }

        return (model, new Allowances(publicBuckets, wideGrants));
    }

    private static string? AttributeName(MetadataReader reader, CustomAttribute attribute)
    {
        EntityHandle type = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };

        return type.Kind switch
        {
            HandleKind.TypeReference => Name(reader, reader.GetTypeReference((TypeReferenceHandle)type).Namespace, reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => Name(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type).Namespace, reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => null,
        };
    }

    private static string Name(MetadataReader reader, StringHandle ns, StringHandle name) =>
        reader.GetString(ns) + "." + reader.GetString(name);

    /// <summary>Decodes attribute arguments far enough for string constructor arguments.</summary>
    private sealed class StringOnlyTypes : ICustomAttributeTypeProvider<string>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSystemType() => "System.Type";

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public bool IsSystemType(string type) => type == "System.Type";
    }
}
