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
                    || Seconds(argument.Value) is not { } seconds
                    || (seconds > 0 && seconds <= Longest.TotalSeconds))
                {
                    return;
                }

                operation.ReportDiagnostic(Diagnostic.Create(Descriptors.SignedUrlExpiry, argument.Syntax.GetLocation(), Describe(seconds)));
            });
    }

    /// <summary>
    /// The seconds of <c>TimeSpan.FromDays(8)</c> and its siblings with a constant argument, as a double so that
    /// <c>FromDays(int.MaxValue)</c> or <c>FromHours(double.NaN)</c>, which TimeSpan cannot hold, are reported rather than
    /// thrown; null for anything else.
    /// </summary>
    private static double? Seconds(IOperation value)
    {
        if (value is not IInvocationOperation { TargetMethod: { IsStatic: true, ContainingType.Name: "TimeSpan" } method, Arguments.Length: 1 } invocation
            || invocation.Arguments[0].Value.ConstantValue is not { HasValue: true, Value: not null and var constant })
        {
            return null;
        }

        double amount;
        try
        {
            amount = Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            return null;
        }

        return method.Name switch
        {
            "FromDays" => amount * 86_400,
            "FromHours" => amount * 3_600,
            "FromMinutes" => amount * 60,
            "FromSeconds" => amount,
            "FromMilliseconds" => amount / 1_000,
            _ => null,
        };
    }

    private static string Describe(double seconds) =>
        double.IsNaN(seconds) ? "NaN seconds"
        : seconds <= 0 ? "0 seconds or less"
        : seconds >= TimeSpan.MaxValue.TotalSeconds ? "longer than TimeSpan.MaxValue"
        : TimeSpan.FromSeconds(seconds).ToString();
}
