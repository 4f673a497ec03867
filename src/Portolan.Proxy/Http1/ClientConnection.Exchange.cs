using System.Diagnostics;
using Portolan.Proxy.Balancing;
using Portolan.Proxy.Configuration;
using Portolan.Proxy.Http1.Native;
using Portolan.Proxy.Http1.Parsing;
using Portolan.Proxy.Routing;

namespace Portolan.Proxy.Http1;

/// <summary>Forwarding one request: the target connection, both bodies, the response head, and how it ends.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>ALB's connect timeout to a target.</summary>
    private const int ConnectTimeoutMs = 10_000;

    /// <summary>Largest response head from a target; a bigger one is a 502.</summary>
    private const int MaxResponseHead = 64 * 1024;

    /// <summary>
    /// Body bytes held for a side that is not taking them (a slow client, a target that does not read): past this,
    /// the other side is not read either, so TCP slows it down instead of the proxy's memory filling up.
    /// </summary>
    private const int HighWater = 64 * 1024;

    private readonly ResponseHead _response = new();
    private ChunkedBodyScanner _requestChunks;
    private ChunkedBodyScanner _responseChunks;
    private UpstreamConnection? _up;
    private UpstreamPool? _pool;
    private TargetState? _target;
    private TargetGroupState? _group;
    private long _requestBodyLeft;
    private bool _requestChunked;
    private bool _requestDone;
    private bool _responseStarted;
    private bool _responseDone;
    private BodyFraming _responseFraming;
    private long _responseBodyLeft;
    private bool _upstreamReusable;
    private bool _upstreamEnded;
    private bool _retried;

    /// <summary>While the whole request sits in the target's output buffer, bytes are kept after sending (<see cref="_upSent"/>) so a reused connection that turns out closed can be replaced and the request sent again.</summary>
    private bool _retain;
    private int _upSent;
    private long _upActivityMs;

    private enum BodyFraming { None, Length, Chunked, UntilClose }

    /// <summary>Forwards the parsed request to <paramref name="target"/> of <paramref name="group"/>.</summary>
    private void BeginForward(TargetGroupState group, TargetState target, UpstreamPool pool, ForwardRoute.Branch branch, bool sticky)
    {
        _group = group;
        _target = target;
        _pool = pool;
        _targetCookieLine = target.SetCookieLine;
        _appCookieName = group.Config.AppCookieName;
        _groupCookieLine = sticky ? branch.GroupCookieLine : null;
        _retried = false;
        _requestChunked = _head.Chunked;
        _requestBodyLeft = _head.Chunked ? -1 : Math.Max(0, _head.ContentLength);
        if (_requestChunked) _requestChunks.Reset();
        _requestDone = !_requestChunked && _requestBodyLeft == 0;
        _responseStarted = _responseDone = false;
        _upstreamReusable = _upstreamEnded = false;
        _phase = Phase.Exchange;
        _targetStartTimestamp = Stopwatch.GetTimestamp();
        _upActivityMs = Environment.TickCount64;

        var up = pool.Get(this, out _);
        if (up is null)
        {
            FailBeforeResponse();
            return;
        }
        _up = up;
        up.Out.Reserve(_head.Length + 512);
        WriteRequestHead(ref up.Out);
        _in.Consume(_head.Length);
        MoveRequestBody();
        _retain = up.Reused && _requestDone;
        _upSent = 0;
    }

    private bool PumpExchange()
    {
        var up = _up!;
        var progress = false;

        if (up.Error != 0)
        {
            UpstreamBroke();
            return false;
        }

        // The request body, client → target.
        if (!_requestDone)
        {
            if (!_in.IsEmpty) progress |= MoveRequestBody();
            if (!_requestDone && _in.IsEmpty && _readable)
            {
                _in.Reserve(IoBuffer.DefaultSize);
                var n = SocketIo.Receive(_fd, ref _in, ref _readable);
                if (n > 0) progress = true;
                else if (n != SocketIo.WouldBlock)
                {
                    ClientGone();
                    return false;
                }
            }
        }
        else if (_peerClosed && !_responseDone)
        {
            ClientGone(); // ALB's 460: the client left before the response
            return false;
        }

        // Bytes for the target.
        if (up.Connected && up.Writable && up.Out.Length > _upSent)
        {
            var n = SocketIo.Send(up.Fd, up.Out.Data[_upSent..], ref up.Writable);
            if (n > 0)
            {
                if (_retain) _upSent += n;
                else up.Out.Consume(n);
                _upActivityMs = Environment.TickCount64;
                progress = true;
            }
            else if (n == SocketIo.Failed)
            {
                up.MarkFailed(Libc.Errno);
                UpstreamBroke();
                return false;
            }
        }

        // Bytes from the target, while the client takes them (so a slow client slows the target down). A target
        // that closed is read until the end is seen: a short read cleared Readable, and no new edge will come.
        if (up.PeerClosed) up.Readable = true;
        if (up.Readable && !_responseDone && !_upstreamEnded && _out.Length < HighWater && up.In.Length < (_responseStarted ? HighWater : MaxResponseHead))
        {
            up.In.Reserve(up.In.Capacity == 0 ? IoBuffer.DefaultSize : 1024);
            var n = SocketIo.Receive(up.Fd, ref up.In, ref up.Readable);
            if (n > 0)
            {
                _upActivityMs = Environment.TickCount64;
                if (_retain) StopRetaining(up);
                progress = true;
            }
            else if (n == 0)
            {
                if (_responseFraming == BodyFraming.UntilClose && _responseStarted)
                {
                    // The body ends with the connection, once what is still buffered has gone to the client.
                    _upstreamEnded = true;
                    _upstreamReusable = false;
                    progress = true;
                }
                else
                {
                    up.MarkFailed(0);
                    UpstreamBroke();
                    return false;
                }
            }
            else if (n == SocketIo.Failed)
            {
                up.MarkFailed(Libc.Errno);
                UpstreamBroke();
                return false;
            }
        }

        if (!up.In.IsEmpty && !_responseDone) progress |= ProcessResponse(up);
        if (_phase != Phase.Exchange) return progress;
        if (_upstreamEnded && up.In.IsEmpty && !_responseDone)
        {
            _responseDone = true;
            progress = true;
        }

        if (_responseDone && (_requestDone || _responseStarted))
        {
            FinishExchange();
            return true;
        }
        return progress;
    }

    /// <summary>Copies request body bytes from the client's buffer to the target's, as far as the body goes.</summary>
    private bool MoveRequestBody()
    {
        var up = _up!;
        if (_requestDone || _in.IsEmpty) return false;
        if (up.Out.Length >= HighWater) return false; // the target is not reading: neither do we, from the client
        up.Out.Reserve(Math.Min(_in.Length, IoBuffer.DefaultSize));
        var room = Math.Min(_in.Length, up.Out.Free);
        if (room == 0) return false;
        int take;
        if (_requestChunked)
        {
            take = _requestChunks.Scan(_in.Data[..room]);
            if (_requestChunks.Failed)
            {
                // A malformed chunked body: the target has a broken request; so does the client's connection.
                _errorReason = "ClientBodyMalformed";
                ClientGone();
                return false;
            }
            if (_requestChunks.Done) _requestDone = true;
        }
        else
        {
            take = (int)Math.Min(room, _requestBodyLeft);
            _requestBodyLeft -= take;
            if (_requestBodyLeft == 0) _requestDone = true;
        }
        up.Out.Append(_in.Data[..take]);
        _in.Consume(take);
        _requestBytes += take;
        if (_retain) StopRetaining(up); // no longer replayable
        return take > 0;
    }

    private void StopRetaining(UpstreamConnection up)
    {
        _retain = false;
        up.Out.Consume(_upSent);
        _upSent = 0;
    }

    /// <summary>Parses the response head, then moves body bytes to the client's buffer.</summary>
    private bool ProcessResponse(UpstreamConnection up)
    {
        if (!_responseStarted)
        {
            switch (_response.Parse(up.In.Data, MaxResponseHead))
            {
                case HeadParseStatus.Incomplete:
                    if (up.In.Length >= MaxResponseHead) goto default;
                    return false;
                case HeadParseStatus.Complete:
                    break;
                default:
                    _errorReason = "TargetResponseMalformed";
                    up.MarkFailed(-1);
                    FailBeforeResponse();
                    return false;
            }

            var status = _response.Status;
            if (status is >= 100 and < 200)
            {
                if (status == 101)
                {
                    _errorReason = "TargetResponseMalformed"; // no Upgrade was forwarded, so no switch can be agreed
                    up.MarkFailed(-1);
                    FailBeforeResponse();
                    return false;
                }
                _out.Append(up.In.Data[.._response.Length]); // 100 Continue, 103 Early Hints: passed on as they are
                up.In.Consume(_response.Length);
                return true;
            }

            _responseStarted = true;
            _targetStatus = status;
            _status = status;
            var noBody = _isHeadMethod || status is 204 or 304;
            _responseFraming = noBody ? BodyFraming.None
                : _response.Chunked ? BodyFraming.Chunked
                : _response.ContentLength >= 0 ? BodyFraming.Length
                : BodyFraming.UntilClose;
            _responseBodyLeft = _responseFraming == BodyFraming.Length ? _response.ContentLength : 0;
            if (_responseFraming == BodyFraming.Chunked) _responseChunks.Reset();
            _upstreamReusable = !_response.ConnectionClose && _responseFraming != BodyFraming.UntilClose;
            if (_head.ConnectionClose || _responseFraming == BodyFraming.UntilClose || _listener.Stopping) _closeAfterResponse = true;

            _out.Reserve(_response.Length + 1024);
            WriteResponseHead(up.In.Data, ref _out);
            up.In.Consume(_response.Length);
            if (_responseFraming == BodyFraming.None || (_responseFraming == BodyFraming.Length && _responseBodyLeft == 0)) _responseDone = true;
            if (_responseDone) return true;
        }

        if (up.In.IsEmpty) return true;
        if (_out.Length >= HighWater) return false; // the client is not reading: wait for it
        _out.Reserve(Math.Min(up.In.Length, IoBuffer.DefaultSize));
        var room = Math.Min(up.In.Length, _out.Free);
        if (room == 0) return false;
        int take;
        switch (_responseFraming)
        {
            case BodyFraming.Chunked:
                take = _responseChunks.Scan(up.In.Data[..room]);
                if (_responseChunks.Failed)
                {
                    _errorReason = "TargetResponseMalformed";
                    up.MarkFailed(-1);
                    UpstreamBroke();
                    return false;
                }
                if (_responseChunks.Done) _responseDone = true;
                break;
            case BodyFraming.Length:
                take = (int)Math.Min(room, _responseBodyLeft);
                _responseBodyLeft -= take;
                if (_responseBodyLeft == 0) _responseDone = true;
                break;
            default:
                take = room;
                break;
        }
        _out.Append(up.In.Data[..take]);
        up.In.Consume(take);
        _responseBytes += take;
        return take > 0;
    }

    /// <summary>The response is complete: count and log it, give the target connection back, wait for the next request.</summary>
    private void FinishExchange()
    {
        _targetEndTimestamp = Stopwatch.GetTimestamp();
        var up = _up!;
        _up = null;
        if (!up.In.IsEmpty) _upstreamReusable = false; // bytes beyond the response: the target is confused
        if (_upstreamReusable && _requestDone && !_retain) _pool!.Return(up);
        else up.Close();
        if (!_requestDone) _closeAfterResponse = true; // the rest of the request body is still coming: no next request can follow it

        _target!.Exit();
        Record(_status);
        ClearExchange();
        _requests++;
        EnterHead();
    }

    /// <summary>The target connection failed: before the response, ALB's 502 (or one retry on a fresh connection); after it started, the client's connection is cut.</summary>
    private void UpstreamBroke()
    {
        var up = _up!;
        if (_responseStarted)
        {
            _errorReason ??= "TargetResponseError";
            _status = 502;
            _group!.Counters.RecordTargetConnectionError();
            _listener.Runtime.Counters.RecordLoadBalancerError();
            Cut();
            return;
        }

        // A pooled connection the target had closed: if the request is still whole in the buffer, send it again once.
        if (up.Reused && _retain && !_retried && up.In.IsEmpty)
        {
            _retried = true;
            var fresh = UpstreamConnection.Connect(_loop, _pool!, out var error);
            if (fresh is not null)
            {
                fresh.Owner = this;
                (fresh.Out, up.Out) = (up.Out, default);
                up.Close();
                _up = fresh;
                _retain = false;
                _upSent = 0;
                Pump();
                return;
            }
            up.MarkFailed(error);
        }
        FailBeforeResponse();
    }

    /// <summary>No response came: ALB's 502 (refused, reset, malformed) or 504 (connect timed out).</summary>
    private void FailBeforeResponse(bool timedOut = false)
    {
        _errorReason ??= timedOut ? "TargetConnectionTimeout" : "TargetConnectionError";
        if (timedOut) _group!.Counters.RecordTargetTimeout();
        else _group!.Counters.RecordTargetConnectionError();
        _up?.Close();
        _up = null;
        _target!.Exit();
        _targetEndTimestamp = Stopwatch.GetTimestamp();
        RespondFromLoadBalancer(timedOut ? 504 : 502);
    }

    private void SweepExchange(long nowMs)
    {
        var up = _up;
        if (up is null) return;
        if (_target!.Aborted.IsCancellationRequested)
        {
            // The target's deregistration delay ran out with this request still in flight.
            _errorReason = "TargetDeregistered";
            if (_responseStarted)
            {
                _status = 502;
                Cut();
            }
            else
            {
                up.MarkFailed(-1);
                FailBeforeResponse();
            }
            Pump();
            return;
        }

        if (!up.Connected && nowMs - up.ConnectStartedMs > ConnectTimeoutMs)
        {
            up.MarkFailed(-1);
            FailBeforeResponse(timedOut: true);
            Pump();
            return;
        }

        var idle = (long)_listener.Runtime.Config.IdleTimeout.TotalMilliseconds;
        if (nowMs - _upActivityMs > idle && !_responseDone && _responseStarted && !_out.IsEmpty)
        {
            // Nothing moved because the client stopped reading: the connection is idle on the client's side, so
            // it is cut as ALB does and logged as the client's (460), not as the target's timeout.
            _errorReason = "ClientIdleTimeout";
            ClientGone();
            return;
        }
        if (nowMs - _upActivityMs > idle && !_responseDone)
        {
            // The target said nothing for the idle timeout: ALB's 504, or a cut if the response had begun.
            _errorReason = "TargetResponseTimeout";
            if (_responseStarted)
            {
                _group!.Counters.RecordTargetTimeout();
                _status = 504;
                _listener.Runtime.Counters.RecordLoadBalancerError();
                Cut();
            }
            else
            {
                FailBeforeResponse(timedOut: true);
                Pump();
            }
        }
    }

    /// <summary>
    /// The client went away (or stopped reading) mid-exchange: close both sides and log ALB's 460, even when the
    /// target's status line had already gone out, as the Kestrel path logs it.
    /// </summary>
    private void ClientGone()
    {
        if (_phase == Phase.Exchange)
        {
            _status = 460;
            _errorReason ??= "ClientClosedConnection";
        }
        Cut();
    }

    /// <summary>Closes both sides mid-exchange, logging the status already decided (502/504 when the target or the drain deadline is to blame).</summary>
    private void Cut()
    {
        if (_phase == Phase.Exchange) AbandonExchange();
        Close();
    }

    /// <summary>Ends an exchange that will not complete: the target connection closes, the request is counted.</summary>
    private void AbandonExchange()
    {
        _targetEndTimestamp = Stopwatch.GetTimestamp();
        _up?.Close();
        _up = null;
        _target?.Exit();
        if (_status == 0) _status = 460;
        Record(_status);
        ClearExchange();
        _phase = Phase.Head;
    }
}
