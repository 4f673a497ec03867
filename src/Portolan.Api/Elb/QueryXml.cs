using System.Buffers;
using System.Globalization;
using Portolan.Api.Edge;

namespace Portolan.Api.Elb;

/// <summary>
/// Writes the inside of a Query reply's <c>&lt;OpResult&gt;</c>: elements with escaped text, lists as
/// <c>&lt;Name&gt;&lt;member&gt;…&lt;/member&gt;&lt;/Name&gt;</c> and an empty list as <c>&lt;Name/&gt;</c>
/// (WIRE.md §5). Element names are the model's member names (ASCII constants); only values are escaped.
/// </summary>
internal readonly struct QueryXml(IBufferWriter<byte> output)
{
    public void Open(string name)
    {
        output.Write("<"u8);
        output.WriteUtf8(name);
        output.Write(">"u8);
    }

    public void Close(string name)
    {
        output.Write("</"u8);
        output.WriteUtf8(name);
        output.Write(">"u8);
    }

    public void Empty(string name)
    {
        output.Write("<"u8);
        output.WriteUtf8(name);
        output.Write("/>"u8);
    }

    /// <summary>An element with text; nothing at all when <paramref name="value"/> is null.</summary>
    public void Text(string name, string? value)
    {
        if (value is null) return;
        Open(name);
        XmlText.WriteEscaped(output, value);
        Close(name);
    }

    public void Number(string name, long? value)
    {
        if (value is { } v) Text(name, v.ToString(CultureInfo.InvariantCulture));
    }

    public void Bool(string name, bool? value)
    {
        if (value is { } v) Text(name, v ? "true" : "false");
    }

    /// <summary>ISO-8601 with milliseconds, UTC (<c>2024-11-24T16:00:00.123Z</c>).</summary>
    public void Time(string name, DateTimeOffset value) =>
        Text(name, value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    /// <summary>A list: each item written by <paramref name="member"/> inside its own <c>&lt;member&gt;</c>.</summary>
    public void List<T>(string name, IEnumerable<T> items, Action<QueryXml, T> member)
    {
        var any = false;
        foreach (var item in items)
        {
            if (!any)
            {
                Open(name);
                any = true;
            }
            Open("member");
            member(this, item);
            Close("member");
        }
        if (any) Close(name); else Empty(name);
    }

    /// <summary>A list of strings.</summary>
    public void Strings(string name, IEnumerable<string> items) =>
        List(name, items, static (x, s) => XmlText.WriteEscaped(x.Output, s));

    private IBufferWriter<byte> Output => output;
}
