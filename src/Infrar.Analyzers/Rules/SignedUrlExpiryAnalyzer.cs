using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0109: a signed URL asked to last longer than 7 days (or not at all), from a constant <c>TimeSpan.FromX(n)</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SignedUrlExpiryAnalyzer : InfrarAnalyzer
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.SignedUrlExpiry];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        OnInvocation(start, (operation, invocation) =>
            {
                if (symbols.OperationId(invocation.TargetMethod) is not ("signed_read_url" or "signed_write_url")
                    || invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "expiresIn") is not { } argument
                    || Evaluate(argument.Value) is not { } expiry
                    || (expiry > TimeSpan.Zero && expiry <= Longest))
                {
                    return;
                }

                operation.ReportDiagnostic(Diagnostic.Create(Descriptors.SignedUrlExpiry, argument.Syntax.GetLocation(), expiry.ToString()));
            });
    }

    /// <summary>The value of <c>TimeSpan.FromDays(8)</c> and its siblings with a constant argument; null for anything else.</summary>
    private static TimeSpan? Evaluate(IOperation value)
    {
        if (value is not IInvocationOperation { TargetMethod: { IsStatic: true, ContainingType.Name: "TimeSpan" } method, Arguments.Length: 1 } invocation
            || invocation.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: var constant })
        {
            return null;
        }

        var amount = Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture);
        return method.Name switch
        {
            "FromDays" => TimeSpan.FromDays(amount),
            "FromHours" => TimeSpan.FromHours(amount),
            "FromMinutes" => TimeSpan.FromMinutes(amount),
            "FromSeconds" => TimeSpan.FromSeconds(amount),
            _ => null,
        };
    }
}
