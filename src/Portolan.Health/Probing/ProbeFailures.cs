using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace Portolan.Health.Probing;

/// <summary>Turns what a failed probe threw into an outcome and a short detail, looking through wrappers.</summary>
internal static class ProbeFailures
{
    public static (ProbeOutcome Outcome, string Detail) Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException ?? (e as RpcException)?.Status.DebugException)
        {
            switch (e)
            {
                case SocketException se:
                    return Socket(se.SocketErrorCode, se.Message);
                case AuthenticationException ae:
                    return (ProbeOutcome.TlsFailure, "TLS handshake failed: " + ae.Message);
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } hre:
                    return (ProbeOutcome.DnsFailure, hre.Message);
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } hre when hre.InnerException is null:
                    return (ProbeOutcome.TlsFailure, hre.Message);
                case HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse or HttpRequestError.VersionNegotiationError } hre
                    when hre.InnerException is not SocketException and not IOException { InnerException: SocketException }:
                    return (ProbeOutcome.ProtocolError, hre.Message);
                case HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return (ProbeOutcome.Reset, "connection closed before a response");
                case HttpIOException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse } hio:
                    return (ProbeOutcome.ProtocolError, hio.Message);
            }
        }
        return (ProbeOutcome.Error, exception.GetBaseException().Message);
    }

    public static (ProbeOutcome Outcome, string Detail) Socket(SocketError error, string message) => error switch
    {
        SocketError.ConnectionRefused => (ProbeOutcome.Refused, "connection refused"),
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => (ProbeOutcome.Reset, "connection reset by peer"),
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (ProbeOutcome.DnsFailure, "host name not resolved: " + message),
        SocketError.TimedOut => (ProbeOutcome.Timeout, "connection timed out"),
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.AddressNotAvailable => (ProbeOutcome.Unreachable, message),
        _ => (ProbeOutcome.Error, message),
    };
}
