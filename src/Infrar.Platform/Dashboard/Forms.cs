using System.Security.Cryptography;
using System.Text;
using Infrar.Platform.Data;
using Infrar.Platform.Security;

namespace Infrar.Platform.Dashboard;

/// <summary>
/// Every dashboard form that changes something sends its session's form token back (the synchronizer pattern), on
/// top of the same-origin check and the same-site cookie: a page of another site cannot post one.
/// </summary>
internal static class Forms
{
    public const string CsrfField = "_csrf";

    /// <summary>The form, once its token matches the session's; a 403 otherwise.</summary>
    public static async Task<IFormCollection> ReadCheckedAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var expected = SessionHandler.CsrfOf(context);
        var sent = form[CsrfField].ToString();
        if (expected is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected)))
        {
            throw new ForbiddenException("The form's token is missing or not this session's; reload the page and try again.");
        }

        return form;
    }
}
