using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portolan.IntegrationTests.Ecs.Support;

/// <summary>
/// A shell session as the README shows it: <c>$ command</c> lines, each followed by its real output, and <c>#</c>
/// comments. What differs per run and would only confuse a reader (temp directories, ephemeral ports) is rewritten to
/// what a user would have (<see cref="MapPath"/>, <see cref="MapPort"/>); everything else is the output as printed.
/// <see cref="Verify"/> keeps the committed copy listing the same commands as the test runs.
/// </summary>
public sealed partial class ShellTranscript
{
    private readonly StringBuilder _text = new();
    private readonly List<(string From, string To)> _paths = [];
    private readonly List<(Regex Port, string To)> _ports = [];

    /// <summary>Shows <paramref name="text"/> (a path, a prefix) as <paramref name="shownAs"/>; mappings apply in the order given.</summary>
    public void MapPath(string text, string shownAs) => _paths.Add((text, shownAs));

    /// <summary>Shows the port number <paramref name="port"/> as <paramref name="shownAs"/> wherever it stands alone.</summary>
    public void MapPort(int port, int shownAs) =>
        _ports.Add((new Regex($@"(?<![\w.]){port.ToString(CultureInfo.InvariantCulture)}(?!\w)"), shownAs.ToString(CultureInfo.InvariantCulture)));

    public void Comment(string text)
    {
        foreach (var line in text.Split('\n')) _text.Append("# ").Append(line).Append('\n');
    }

    public void Blank() => _text.Append('\n');

    /// <summary>A command line as typed (already quoted) and what it printed.</summary>
    public void Command(string line, string output)
    {
        _text.Append("$ ").Append(Normalize(line)).Append('\n');
        var shown = Normalize(output).TrimEnd('\n');
        if (shown.Length > 0) _text.Append(shown).Append('\n');
        _text.Append('\n');
    }

    /// <summary>A file the user writes, shown as a here-document.</summary>
    public void File(string name, string content) =>
        Command($"cat > {name} <<'EOF'\n{Normalize(content).TrimEnd('\n')}\nEOF", "");

    /// <summary>A command line for <paramref name="program"/> and its arguments, quoted for a POSIX shell where needed.</summary>
    public static string Line(string program, IEnumerable<string> args, string? suffix = null)
    {
        var line = new StringBuilder(program);
        foreach (var arg in args) line.Append(' ').Append(Quote(arg));
        if (suffix is not null) line.Append(' ').Append(suffix);
        return line.ToString();
    }

    public override string ToString() => _text.ToString().TrimEnd('\n') + "\n";

    /// <summary>
    /// Writes the transcript next to the test binaries, and into <paramref name="committedPath"/> when that file is
    /// missing or <paramref name="updateVariable"/>=1; otherwise requires the committed copy to list the same commands.
    /// </summary>
    public async Task VerifyAsync(string committedPath, string updateVariable)
    {
        var text = ToString();
        await System.IO.File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, Path.GetFileName(committedPath)), text);
        if (!System.IO.File.Exists(committedPath) || Environment.GetEnvironmentVariable(updateVariable) == "1")
        {
            await System.IO.File.WriteAllTextAsync(committedPath, text);
            return;
        }
        var committed = await System.IO.File.ReadAllTextAsync(committedPath);
        Assert.True(Commands(text).SequenceEqual(Commands(committed)),
            $"{committedPath} lists other commands than this test runs; rerun it with {updateVariable}=1 and commit the file.\n{text}");
    }

    /// <summary>The command lines with ids, ports and process ids replaced, so that runs compare equal.</summary>
    private static List<string> Commands(string transcript) =>
        transcript.Split('\n').Where(l => l.StartsWith("$ ", StringComparison.Ordinal)).Select(l => Varying().Replace(l, "<v>")).ToList();

    [GeneratedRegex(@"\b(ns-[a-z2-7]{16}|srv-[a-z2-7]{16}|[a-z2-7]{32}-[a-z2-7]{8}|[0-9a-f]{16,32}|\d{2,})\b")]
    private static partial Regex Varying();

    private string Normalize(string text)
    {
        foreach (var (from, to) in _paths) text = text.Replace(from, to, StringComparison.Ordinal);
        foreach (var (port, to) in _ports) text = port.Replace(text, to);
        return text;
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c, StringComparison.Ordinal))
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
