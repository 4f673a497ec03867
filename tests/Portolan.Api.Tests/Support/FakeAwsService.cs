using System.Buffers;
using System.Text;
using Portolan.Api.Edge;

namespace Portolan.Api.Tests.Support;

/// <summary>
/// A test double of an <see cref="IAwsService"/>, used only to test the edge itself: it records what the edge handed
/// over and answers with whatever the test scripted.
/// </summary>
internal sealed class FakeAwsService : IAwsService
{
    public const string JsonPrefix = "FakeJson_v20240101";
    public const string QueryApiVersion = "2099-01-01";
    public const string Namespace = "http://fake.example/doc/2099-01-01/";

    public string SigningName { get; init; } = "fakejson";
    public string? JsonTargetPrefix { get; init; } = JsonPrefix;
    public string? QueryVersion { get; init; }
    public string JsonErrorMessageMember { get; init; } = "Message";
    public string? XmlNamespace { get; init; }

    /// <summary>What to do for a call; the default writes nothing (a JSON service then answers <c>{}</c>).</summary>
    public Func<AwsCall, CancellationToken, ValueTask> Handler { get; set; } = (_, _) => ValueTask.CompletedTask;

    /// <summary>The last call, with body and form copied out of the edge's pooled buffers.</summary>
    public RecordedCall? LastCall { get; private set; }

    public static FakeAwsService Query() => new()
    {
        SigningName = "fakequery",
        JsonTargetPrefix = null,
        QueryVersion = QueryApiVersion,
        XmlNamespace = Namespace,
    };

    public ValueTask InvokeAsync(AwsCall call, CancellationToken cancellationToken)
    {
        LastCall = new RecordedCall(call.Operation, call.Protocol, Encoding.UTF8.GetString(call.Body.Span),
            new Dictionary<string, string>(call.Form), call.RequestId, call.AccessKeyId);
        return Handler(call, cancellationToken);
    }

    public static void Write(AwsCall call, string text) => call.Output.Write(Encoding.UTF8.GetBytes(text));
}

internal sealed record RecordedCall(
    string Operation, AwsProtocol Protocol, string Body, IReadOnlyDictionary<string, string> Form, string RequestId, string? AccessKeyId);
