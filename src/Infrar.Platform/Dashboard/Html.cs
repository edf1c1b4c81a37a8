using System.Net;
using System.Text;
using Infrar.Platform.Security;

namespace Infrar.Platform.Dashboard;

/// <summary>The dashboard's page frame; every value put into a page goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(object? value) => WebUtility.HtmlEncode(value?.ToString() ?? "");

    /// <summary>
    /// A page of the dashboard. Its style and script are files of the service (/ui/static), so the content security
    /// policy allows no inline code; <paramref name="main"/> carries the page's data for the script.
    /// </summary>
    public static IResult Page(string title, string body, Caller? caller, string? csrf = null, string main = "")
    {
        var signOut = caller is null || csrf is null
            ? ""
            : $"<form method=\"post\" action=\"/ui/logout\">{Csrf(csrf)}<button type=\"submit\">Sign out</button></form>";
        return Results.Content(
            $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{E(title)}} · Infrar</title>
            <link rel="stylesheet" href="/ui/static/dashboard.css">
            <script src="/ui/static/dashboard.js" defer></script>
            </head>
            <body>
            <header><a href="/">Infrar</a><span>{{(caller is null ? "" : E($"{caller.Name} ({caller.Role})"))}}{{signOut}}</span></header>
            <main{{main}}>
            <h1>{{E(title)}}</h1>
            {{body}}
            </main>
            </body>
            </html>
            """,
            "text/html; charset=utf-8");
    }

    /// <summary>The hidden field that carries the session's form token back.</summary>
    public static string Csrf(string csrf) => $"<input type=\"hidden\" name=\"{Forms.CsrfField}\" value=\"{E(csrf)}\">";

    public static string Table(IEnumerable<string> headings, IEnumerable<IEnumerable<string>> rows)
    {
        var text = new StringBuilder("<table><thead><tr>");
        foreach (var heading in headings)
        {
            text.Append("<th>").Append(E(heading)).Append("</th>");
        }

        text.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            text.Append("<tr>");
            foreach (var cell in row)
            {
                // Cells arrive already encoded: some hold links.
                text.Append("<td>").Append(cell).Append("</td>");
            }

            text.Append("</tr>");
        }

        return text.Append("</tbody></table>").ToString();
    }
}
