using System.Net;
using System.Text;

namespace Infrar.Platform.Dashboard;

/// <summary>The dashboard's page frame; every value put into a page goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static string E(object? value) => WebUtility.HtmlEncode(value?.ToString() ?? "");

    public static IResult Page(string title, string body, string? caller) => Results.Content(
        $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>{{E(title)}} · Infrar</title>
        <style>
          body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2330; }
          header { background: #1d2330; color: #fff; padding: .6rem 1.5rem; display: flex; justify-content: space-between; }
          header a { color: #fff; text-decoration: none; font-weight: 600; }
          main { padding: 1rem 1.5rem; max-width: 70rem; }
          table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
          th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde1e8; }
          .status { font-weight: 600; }
          .succeeded, .destroyed { color: #17803d; } .failed { color: #b42318; } .awaiting_approval { color: #b54708; }
          pre#log { background: #0f1420; color: #d7dce5; padding: 1rem; min-height: 8rem; max-height: 30rem; overflow: auto; }
          button { font: inherit; padding: .3rem .9rem; }
        </style>
        </head>
        <body>
        <header><a href="/">Infrar</a><span>{{E(caller)}}</span></header>
        <main>
        <h1>{{E(title)}}</h1>
        {{body}}
        </main>
        </body>
        </html>
        """,
        "text/html; charset=utf-8");

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
