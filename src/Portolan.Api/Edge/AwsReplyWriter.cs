using System.Buffers;
using System.Text.Json;

namespace Portolan.Api.Edge;

/// <summary>
/// Renders AWS replies byte-for-byte in the shapes the CLI and SDKs parse: the JSON 1.1 error object (WIRE.md §3)
/// and the Query XML envelope and <c>ErrorResponse</c> (WIRE.md §5).
/// </summary>
internal static class AwsReplyWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { SkipValidation = true };

    /// <summary><c>{"__type":"Code","Message":"text", ...fields}</c>; the message member's name is per service.</summary>
    public static void WriteJsonError(IBufferWriter<byte> output, AwsServiceException error, string messageMember)
    {
        using var json = new Utf8JsonWriter(output, JsonOptions);
        json.WriteStartObject();
        json.WriteString("__type"u8, error.Code);
        json.WriteString(messageMember, error.Message);
        foreach (var (name, value) in error.Fields)
        {
            // A field may not shadow the two members clients key on.
            if (name != "__type" && name != messageMember)
            {
                json.WriteString(name, value);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>Everything before the service's result content: <c>&lt;OpResponse xmlns=".."&gt;&lt;OpResult&gt;</c>.</summary>
    public static void WriteQueryPrologue(IBufferWriter<byte> output, string operation, string? xmlNamespace)
    {
        output.Write("<"u8);
        output.WriteUtf8(operation);
        output.Write("Response"u8);
        WriteXmlns(output, xmlNamespace);
        output.Write("><"u8);
        output.WriteUtf8(operation);
        output.Write("Result>"u8);
    }

    /// <summary>Closes the envelope. The <c>Result</c> wrapper is mandatory: without it the CLI fails (WIRE.md §5).</summary>
    public static void WriteQueryEpilogue(IBufferWriter<byte> output, string operation, string requestId)
    {
        output.Write("</"u8);
        output.WriteUtf8(operation);
        output.Write("Result><ResponseMetadata><RequestId>"u8);
        XmlText.WriteEscaped(output, requestId);
        output.Write("</RequestId></ResponseMetadata></"u8);
        output.WriteUtf8(operation);
        output.Write("Response>"u8);
    }

    public static void WriteQueryError(IBufferWriter<byte> output, AwsServiceException error, string? xmlNamespace, string requestId)
    {
        output.Write("<ErrorResponse"u8);
        WriteXmlns(output, xmlNamespace);
        output.Write("><Error><Type>"u8);
        output.WriteUtf8(error.FaultType);
        output.Write("</Type><Code>"u8);
        XmlText.WriteEscaped(output, error.Code);
        output.Write("</Code><Message>"u8);
        XmlText.WriteEscaped(output, error.Message);
        output.Write("</Message></Error><RequestId>"u8);
        XmlText.WriteEscaped(output, requestId);
        output.Write("</RequestId></ErrorResponse>"u8);
    }

    private static void WriteXmlns(IBufferWriter<byte> output, string? xmlNamespace)
    {
        // The CLI ignores a missing xmlns (WIRE.md §5), so an error from an unidentified service simply has none.
        if (!string.IsNullOrEmpty(xmlNamespace))
        {
            output.Write(" xmlns=\""u8);
            XmlText.WriteEscaped(output, xmlNamespace);
            output.Write("\""u8);
        }
    }
}
