using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Portolan.ConsoleTests.Support;
using static Microsoft.Playwright.Assertions;

namespace Portolan.ConsoleTests;

/// <summary>
/// With <c>--auth</c> the console signs every call in the browser (SigV4, as the CLI does) with the key the user gives
/// it, and its views and event stream demand the same signature; the server's verifier is the judge.
/// </summary>
public sealed class AuthConsoleTests(AuthConsoleTests.Server server, Browser browser)
    : IClassFixture<AuthConsoleTests.Server>, IClassFixture<Browser>
{
    public const string KeyId = "AKIAPORTOLANCONSOLE1";
    public const string Secret = "console/secret+key=with-symbols";

    public sealed class Server : ConsoleServer
    {
        protected override (string Id, string Secret) CliKey => (KeyId, AuthConsoleTests.Secret);

        protected override IEnumerable<string> ExtraArguments(string dataDir)
        {
            var keys = Path.Combine(dataDir, "keys.txt");
            File.WriteAllText(keys, $"# console test key\n{KeyId} {AuthConsoleTests.Secret}\n");
            return ["--auth", keys];
        }
    }

    [Fact]
    public async Task Views_and_events_need_a_signature()
    {
        using var events = await server.GetAsync("/console/api/events");
        Assert.Equal(HttpStatusCode.Forbidden, events.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", JsonDocument.Parse(await events.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        using var view = await server.GetAsync("/console/api/dns-records?service=srv-x");
        Assert.Equal(HttpStatusCode.Forbidden, view.StatusCode);

        // The pages themselves hold no data and load without a key.
        using var index = await server.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
    }

    [Fact]
    public async Task Console_signs_with_the_given_key_and_shows_signature_errors()
    {
        await server.Sd("create-http-namespace", "--name", "signed-by-cli");
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.ConsoleUrl);

        // No key yet: the console asks for one.
        var dialog = page.Locator("#credentials-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.Locator("input[name=accessKeyId]").FillAsync(KeyId);
        await dialog.Locator("input[name=secretAccessKey]").FillAsync(Secret);
        await dialog.Locator("button[value=save]").ClickAsync();

        // Signed JSON calls and a presigned event stream both pass the verifier.
        await Expect(page.Locator("#namespaces")).ToContainTextAsync("signed-by-cli");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live");
        var createNamespace = page.Locator("#create-namespace");
        await createNamespace.Locator("input[name=name]").FillAsync("signed-by-browser");
        await createNamespace.Locator("select[name=type]").SelectOptionAsync("HTTP");
        await createNamespace.Locator("button[type=submit]").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("signed-by-browser");
        var names = (await server.Sd("list-namespaces"))!.Value.GetProperty("Namespaces").EnumerateArray().Select(n => n.GetProperty("Name").GetString());
        Assert.Contains("signed-by-browser", names);
        await Browser.ScreenshotAsync(page, "auth-signed-in");

        // A wrong secret: the server says so, in AWS's words.
        await page.Locator("#credentials").ClickAsync();
        await dialog.Locator("input[name=accessKeyId]").FillAsync(KeyId);
        await dialog.Locator("input[name=secretAccessKey]").FillAsync("not-the-secret");
        await dialog.Locator("button[value=save]").ClickAsync();
        await Expect(page.Locator(".page-error")).ToContainTextAsync("InvalidSignatureException");
        Assert.Empty(browser.PageErrors[page]);
    }

    [Fact]
    public async Task Plain_javascript_hashing_matches_webcrypto()
    {
        // Over plain HTTP on a non-loopback address browsers withhold crypto.subtle; the console then signs with its own
        // SHA-256/HMAC, which must agree with WebCrypto byte for byte (lengths around the 55/56/64-byte padding edges).
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.ConsoleUrl);
        var mismatches = await page.EvaluateAsync<string[]>(@"async () => {
            const { sha256, hmacSha256 } = await import('./js/sha256.js');
            const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
            const bad = [];
            for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
                const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
                if (hex(sha256(data)) !== hex(await crypto.subtle.digest('SHA-256', data))) bad.push('sha256/' + n);
                for (const keyLength of [4, 64, 100]) {
                    const key = new Uint8Array(keyLength).map((_, i) => (i * 7) & 255);
                    const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
                    if (hex(hmacSha256(key, data)) !== hex(await crypto.subtle.sign('HMAC', k, data))) bad.push('hmac/' + keyLength + '/' + n);
                }
            }
            return bad;
        }");
        Assert.Empty(mismatches);
    }
}
