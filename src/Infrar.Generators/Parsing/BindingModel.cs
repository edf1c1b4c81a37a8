using System;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Infrar.Generators.Parsing;

/// <summary>
/// The semantic model the parsers bind with: the driver's own, without nullable analysis. Asking anything about an
/// expression in a method binds the whole method, and with nullable analysis on also walks it for flow state, which
/// was 40% of binding the 500-file benchmark app. Nothing the parsers read depends on flow state: methods, parameters
/// and members carry their declared annotations either way. The compiler binds the project again after generation,
/// with its own settings, so nothing the user sees changes.
/// </summary>
internal static class BindingModel
{
    private static readonly ConditionalWeakTable<SemanticModel, SemanticModel> Models = new();
    private static readonly ConditionalWeakTable<SemanticModel, SemanticModel>.CreateValueCallback Create = CreateModel;
    private static volatile bool s_unavailable;

    public static SemanticModel For(SemanticModel model)
    {
        if (s_unavailable)
        {
            return model;
        }

        try
        {
            return Models.GetValue(model, Create);
        }
        catch (MissingMethodException)
        {
            // The option is marked experimental (RSEXPERIMENTAL001): should a later compiler drop it, bind as before.
            s_unavailable = true;
            return model;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SemanticModel CreateModel(SemanticModel model) =>
#pragma warning disable RSEXPERIMENTAL001 // see For
        model.Compilation.GetSemanticModel(model.SyntaxTree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
}
