using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portolan.Api.Auth;

namespace Portolan.Api.Edge;

/// <summary>
/// Serves one AWS API request: reads the body once, picks the service and operation (X-Amz-Target for JSON, the
/// form's Action and Version for Query; never the Host header, which is <c>data-…</c> for DiscoverInstances, WIRE.md
/// §4), checks the signature, calls the service and renders its reply or error in the caller's protocol.
/// </summary>
internal sealed partial class AwsEdgeHandler(
    AwsServiceDirectory directory,
    SigV4Verifier verifier,
    IOptions<AwsEdgeOptions> options,
    ILogger<AwsEdgeHandler> logger)
{
    /// <summary>JSON callers with no identified service get AWS's default member name.</summary>
    private const string DefaultMessageMember = "Message";

    private static readonly ReadOnlyMemory<byte> EmptyJsonObject = "{}"u8.ToArray();

    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var requestId = Guid.NewGuid().ToString();
        string? target = request.Headers[AwsWire.TargetHeader];
        var json = target is not null || AwsWire.IsJsonMediaType(request.ContentType);

        RequestBody body;
        try
        {
            body = await RequestBody.ReadAsync(request, _maxBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            // A truncated or malformed body: still answer in the caller's protocol, in case it is listening.
            await WriteErrorAsync(context, json ? AwsProtocol.Json : AwsProtocol.Query, requestId,
                new AwsServiceException("BadRequest", e.Message, e.StatusCode), DefaultMessageMember, null);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        using (body)
        {
            if (json)
            {
                await HandleJsonAsync(context, target, body, requestId, cancellationToken);
            }
            else
            {
                await HandleQueryAsync(context, body, requestId, cancellationToken);
            }
        }
    }

    private async Task HandleJsonAsync(HttpContext context, string? target, RequestBody body, string requestId, CancellationToken cancellationToken)
    {
        AwsServiceDirectory.Entry? entry = null;
        string? operation = null;
        var dot = target?.IndexOf('.') ?? -1;
        if (target is not null && dot > 0 && directory.TryGetByTargetPrefix(target.AsSpan(0, dot), out var found))
        {
            entry = found;
            var name = target.AsSpan(dot + 1);
            operation = AwsWire.IsOperationName(name) ? found.OperationName(name) : null;
        }

        var service = entry?.Service;
        var messageMember = service?.JsonErrorMessageMember ?? DefaultMessageMember;
        if (body.TooLarge)
        {
            await WriteErrorAsync(context, AwsProtocol.Json, requestId, TooLarge(), messageMember, null);
            return;
        }

        var auth = Authenticate(context, body);
        if (!auth.Succeeded)
        {
            await WriteErrorAsync(context, AwsProtocol.Json, requestId, AuthErrors.ToException(auth, AwsProtocol.Json), messageMember, null);
            return;
        }

        if (service is null || operation is null)
        {
            var unknown = target is null
                ? new AwsServiceException("UnknownOperationException", "Missing X-Amz-Target header: cannot tell which operation to run.")
                : AwsServiceException.UnknownOperation(target);
            await WriteErrorAsync(context, AwsProtocol.Json, requestId, unknown, messageMember, null);
            return;
        }

        var input = body.Length == 0 ? EmptyJsonObject : body.Memory;
        if (ValidateJsonObject(input.Span) is { } invalid)
        {
            await WriteErrorAsync(context, AwsProtocol.Json, requestId, invalid, messageMember, null);
            return;
        }

        using var output = new PooledBufferWriter();
        var call = new AwsCall
        {
            Operation = operation,
            Protocol = AwsProtocol.Json,
            Body = input,
            RequestId = requestId,
            AccessKeyId = auth.AccessKeyId,
            Output = output,
        };

        var error = await InvokeAsync(service, call, cancellationToken);
        if (error is null)
        {
            if (output.WrittenCount == 0)
            {
                output.Write(EmptyJsonObject.Span);
            }

            await WriteAsync(context, StatusCodes.Status200OK, AwsWire.JsonContentType, requestId, output.WrittenMemory, null);
        }
        else if (!cancellationToken.IsCancellationRequested)
        {
            await WriteErrorAsync(context, AwsProtocol.Json, requestId, error, messageMember, null);
        }
    }

    private async Task HandleQueryAsync(HttpContext context, RequestBody body, string requestId, CancellationToken cancellationToken)
    {
        if (body.TooLarge)
        {
            await WriteErrorAsync(context, AwsProtocol.Query, requestId, TooLarge(), DefaultMessageMember, null);
            return;
        }

        var form = FormDecoder.Decode(body.Memory.Span);
        if (context.Request.QueryString.Value is { Length: > 1 } query)
        {
            AddUrlParameters(form, query);
        }

        form.TryGetValue("Action", out var action);
        form.TryGetValue("Version", out var version);
        var service = version is not null && directory.TryGetByQueryVersion(version, out var entry) ? entry.Service : null;
        var xmlNamespace = service?.XmlNamespace;

        var auth = Authenticate(context, body);
        if (!auth.Succeeded)
        {
            await WriteErrorAsync(context, AwsProtocol.Query, requestId, AuthErrors.ToException(auth, AwsProtocol.Query), DefaultMessageMember, xmlNamespace);
            return;
        }

        if (string.IsNullOrEmpty(action))
        {
            await WriteErrorAsync(context, AwsProtocol.Query, requestId,
                new AwsServiceException("MissingAction", "The request must contain the parameter Action."), DefaultMessageMember, xmlNamespace);
            return;
        }

        if (service is null || !AwsWire.IsOperationName(action))
        {
            await WriteErrorAsync(context, AwsProtocol.Query, requestId, InvalidAction(action, version), DefaultMessageMember, xmlNamespace);
            return;
        }

        using var output = new PooledBufferWriter();
        // The envelope's opening is written first so that the service appends its result in place, with no copy.
        AwsReplyWriter.WriteQueryPrologue(output, action, xmlNamespace);
        var call = new AwsCall
        {
            Operation = action,
            Protocol = AwsProtocol.Query,
            Body = body.Memory,
            Form = form,
            RequestId = requestId,
            AccessKeyId = auth.AccessKeyId,
            Output = output,
        };

        var error = await InvokeAsync(service, call, cancellationToken);
        if (error is null)
        {
            AwsReplyWriter.WriteQueryEpilogue(output, action, requestId);
            await WriteAsync(context, StatusCodes.Status200OK, AwsWire.XmlContentType, requestId, output.WrittenMemory, null);
            return;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        // Services share one "unknown operation" error; Query callers know it as InvalidAction.
        if (error.Code == "UnknownOperationException")
        {
            error = InvalidAction(action, version);
        }

        await WriteErrorAsync(context, AwsProtocol.Query, requestId, error, DefaultMessageMember, xmlNamespace);
    }

    /// <summary>
    /// Query APIs also take parameters in the URL; a presigned request carries all of them there (botocore moves the
    /// form into the query string). The body wins on conflict, and the signature's own parameters are not input.
    /// </summary>
    private static void AddUrlParameters(Dictionary<string, string> form, string query)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(query, 1, query.Length - 1);
        foreach (var (name, value) in FormDecoder.Decode(bytes))
        {
            if (!name.StartsWith("X-Amz-", StringComparison.Ordinal))
            {
                form.TryAdd(name, value);
            }
        }
    }

    private AuthResult Authenticate(HttpContext context, RequestBody body)
    {
        var request = context.Request;
        // RawTarget is the request line's target exactly as sent, which is what the client signed; for an
        // absolute-form target (HTTP_PROXY, WIRE.md §4) the canonicalizer keeps only its path.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        return verifier.Authenticate(request.Method, rawTarget, request.Headers, body.Memory.Span);
    }

    /// <summary>Runs the service; returns the error to render, or null on success. Never throws, except on cancellation.</summary>
    private async ValueTask<AwsServiceException?> InvokeAsync(IAwsService service, AwsCall call, CancellationToken cancellationToken)
    {
        try
        {
            await service.InvokeAsync(call, cancellationToken);
            return null;
        }
        catch (AwsServiceException e)
        {
            return e;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return new AwsServiceException("RequestCanceled", "The request was canceled.", 499);
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, service.SigningName, call.Operation, call.RequestId);
            // No exception detail leaves the process: it may carry paths, SQL or state of other tenants.
            return new AwsServiceException("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500);
        }
    }

    private static AwsServiceException? ValidateJsonObject(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new AwsServiceException("SerializationException", "The request body must be a JSON object.");
            }

            // Skip walks (and so validates) the whole object; a further Read fails on anything after it.
            reader.Skip();
            reader.Read();
            return null;
        }
        catch (JsonException e)
        {
            return new AwsServiceException("SerializationException", $"The request body is not valid JSON: {e.Message}");
        }
    }

    private AwsServiceException TooLarge() =>
        new("RequestEntityTooLarge", $"The request body exceeds the limit of {_maxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge);

    private static AwsServiceException InvalidAction(string? action, string? version) =>
        new("InvalidAction", $"Could not find operation {action} for version {version ?? "(none)"}.");

    private static async Task WriteErrorAsync(
        HttpContext context, AwsProtocol protocol, string requestId, AwsServiceException error, string messageMember, string? xmlNamespace)
    {
        using var output = new PooledBufferWriter();
        if (protocol == AwsProtocol.Json)
        {
            AwsReplyWriter.WriteJsonError(output, error, messageMember);
            await WriteAsync(context, error.StatusCode, AwsWire.JsonContentType, requestId, output.WrittenMemory, error.Code);
        }
        else
        {
            AwsReplyWriter.WriteQueryError(output, error, xmlNamespace, requestId);
            await WriteAsync(context, error.StatusCode, AwsWire.XmlContentType, requestId, output.WrittenMemory, null);
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string requestId, ReadOnlyMemory<byte> body, string? errorType)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        response.Headers[AwsWire.RequestIdHeader] = requestId;
        if (errorType is not null)
        {
            response.Headers[AwsWire.ErrorTypeHeader] = errorType;
        }

        await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }

    [LoggerMessage(2001, LogLevel.Error, "Unhandled error in {Service} {Operation} (request {RequestId}); the caller got InternalFailure.", EventName = "UnhandledServiceError")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string service, string operation, string requestId);
}
