using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0108: a constant metadata name in <c>UploadOptions.Metadata</c> that some provider changes or refuses.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MetadataNameAnalyzer : InfrarAnalyzer
{
    private static readonly Regex Portable = new("^[a-z_][a-z0-9_]*$");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.MetadataName];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        var uploadOptions = start.Compilation.GetTypeByMetadataName("Infrar.UploadOptions");

        start.RegisterOperationAction(
            operation =>
            {
                var assignment = (ISimpleAssignmentOperation)operation.Operation;
                if (assignment.Target is not IPropertyReferenceOperation { Property: { Name: "Metadata" } property }
                    || !SymbolEqualityComparer.Default.Equals(property.ContainingType, uploadOptions))
                {
                    return;
                }

                var value = assignment.Value;
                while (value is IConversionOperation conversion)
                {
                    value = conversion.Operand;
                }

                if (value is not IObjectCreationOperation { Initializer: { } initializer })
                {
                    return;
                }

                foreach (var element in initializer.Initializers)
                {
                    var name = element switch
                    {
                        ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Arguments.Length: 1 } indexer } => indexer.Arguments[0].Value,
                        IInvocationOperation { TargetMethod.Name: "Add", Arguments.Length: 2 } add => add.Arguments[0].Value,
                        _ => null,
                    };
                    if (name?.ConstantValue is { HasValue: true, Value: string text } && !Portable.IsMatch(text))
                    {
                        operation.ReportDiagnostic(Diagnostic.Create(Descriptors.MetadataName, name.Syntax.GetLocation(), text));
                    }
                }
            },
            OperationKind.SimpleAssignment);
    }
}
