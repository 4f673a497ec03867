namespace Portolan.Proxy.Routing;

/// <summary>
/// An ALB pattern: <c>*</c> matches any run of characters (also none), <c>?</c> exactly one, everything else
/// itself. Matching is allocation-free over spans; the case-insensitive form folds ASCII only (ALB compares
/// host names, header values and query strings that way).
/// </summary>
internal sealed class WildcardPattern
{
    private readonly string _pattern;
    private readonly bool _ignoreCase;
    private readonly bool _literal;

    public WildcardPattern(string pattern, bool ignoreCase)
    {
        _ignoreCase = ignoreCase;
        _pattern = ignoreCase ? pattern.ToLowerInvariant() : pattern;
        _literal = pattern.AsSpan().IndexOfAny('*', '?') < 0;
    }

    public string Pattern => _pattern;

    public bool IsMatch(ReadOnlySpan<char> text)
    {
        if (_literal)
        {
            return _ignoreCase ? text.Equals(_pattern, StringComparison.OrdinalIgnoreCase) : text.SequenceEqual(_pattern);
        }

        // Greedy match with one backtrack point (the last '*'): linear for the patterns rules use, O(n·m) at worst.
        var p = _pattern.AsSpan();
        int ti = 0, pi = 0, starP = -1, starT = 0;
        while (ti < text.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || Same(p[pi], text[ti])))
            {
                ti++;
                pi++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                starP = pi++;
                starT = ti;
            }
            else if (starP >= 0)
            {
                pi = starP + 1;
                ti = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*') pi++;
        return pi == p.Length;
    }

    private bool Same(char patternChar, char c)
    {
        if (patternChar == c) return true;
        return _ignoreCase && (uint)(c - 'A') <= 'Z' - 'A' && (char)(c | 0x20) == patternChar;
    }

    public override string ToString() => _pattern;
}
