using Microsoft.Playwright;

namespace Portolan.ConsoleTests.Support;

/// <summary>
/// Headless Debian Chromium driven by Playwright (the package's bundled driver; Playwright's own browser download is
/// not used). One browser per test class; each test opens its own page (own storage) with <see cref="NewPageAsync"/>.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is not installed at {ChromiumPath} (Debian: apt-get install chromium; scripts/test.sh installs it).");
        }

        // Generous waits: on a loaded 2-core machine a page's API round trips can take seconds. A wait ends as soon
        // as its condition holds, so this costs nothing when things are fast.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh page (its own context: no shared session storage) that fails the test on a script error.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        PageErrors[page] = errors;
        return page;
    }

    /// <summary>Uncaught script errors per page: a console that throws is a failed test even if the DOM looks right.</summary>
    public Dictionary<IPage, List<string>> PageErrors { get; } = [];

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>Saves a full-page screenshot to TestResults/console-screenshots/NAME.png at the repository root.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "console-screenshots");

    /// <summary>The directory holding Portolan.slnx above the test build.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portolan.slnx"))) return dir.FullName;
        }

        return AppContext.BaseDirectory;
    }
}
