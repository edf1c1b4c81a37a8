using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Infrar.Analyzers.Tests;

/// <summary>
/// Roslyn's analyzer and code-fix test framework (Microsoft.CodeAnalysis.Testing), set up as Infrar's tests need it:
/// the references of this process (the .NET runtime, Infrar.Sdk and every provider's SDK), so nothing is downloaded;
/// the parse options the generator's tests use; and the build's <c>InfrarProvider</c> as a global option.
/// Diagnostics are expected where the source marks them (<c>{|INFRAR0102:"Photos_Archive"|}</c>); a code fix is
/// applied one diagnostic at a time and by Fix All in the document, project and solution, all of which must agree.
/// </summary>
internal static class Verifiers
{
    public static AnalyzerTest<TAnalyzer> Analyzer<TAnalyzer>(string source, string provider = "local")
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new AnalyzerTest<TAnalyzer>();
        test.TestState.Sources.Add(("App.cs", source));
        Configure(test, provider);
        return test;
    }

    public static CodeFixTest<TAnalyzer, TCodeFix> CodeFix<TAnalyzer, TCodeFix>(string source, string fixedSource, string provider = "local")
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TAnalyzer, TCodeFix> { TestCode = source, FixedCode = fixedSource };
        Configure(test, provider);
        return test;
    }

    private static void Configure(Microsoft.CodeAnalysis.Testing.AnalyzerTest<DefaultVerifier> test, string provider)
    {
        // No reference package: the test's references are this process's own, as the generator's tests use them.
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(GeneratorHarness.References);
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", $"is_global = true\nbuild_property.InfrarProvider = {provider}\n"));
    }

    internal sealed class AnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;

        protected override CompilationOptions CreateCompilationOptions() =>
            ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
    }

    internal sealed class CodeFixTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        protected override ParseOptions CreateParseOptions() => GeneratorHarness.ParseOptions;

        protected override CompilationOptions CreateCompilationOptions() =>
            ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
    }
}
