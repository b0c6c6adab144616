using DaemonNet.Collector.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DaemonNet.Collector.Calls;

/// <summary>
/// Turns every failure a handler did not expect into a status and a sentence the caller can act
/// on, and logs its cause once on the collector. Without it a caller would only ever read
/// "Exception was thrown by handler". Every kind of call passes it, including kinds no RPC uses yet.
/// Once the store's writer is lost, whatever a call then meets (a closed connection, a stopping
/// collector) is that loss: the caller is told to try again, as a restarted collector will serve it.
/// </summary>
public sealed class FailureInterceptor(Store store, ILogger<FailureInterceptor> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Unexpected(e, context))
        {
            throw Explain(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Unexpected(e, context))
        {
            throw Explain(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Unexpected(e, context))
        {
            throw Explain(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Unexpected(e, context))
        {
            throw Explain(e, context);
        }
    }

    // A refusal already says why, and a caller that went away (cancelled, or reset its stream) needs no answer.
    private static bool Unexpected(Exception e, ServerCallContext context) =>
        e is not RpcException && !context.CancellationToken.IsCancellationRequested;

    private RpcException Explain(Exception e, ServerCallContext context)
    {
        // A broken connection is the network's doing (a client that reset its stream, a dropped
        // link): worth a line, not an error with a stack trace.
        if (e is IOException)
        {
            log.LogInformation("{Method} for {Peer} ended: {Reason}", context.Method, context.Peer, e.Message);
        }
        else
        {
            log.LogError(e, "{Method} for {Peer} failed", context.Method, context.Peer);
        }
        return new RpcException(store.Writer.LostBecause is { } lost
            ? new Status(StatusCode.Unavailable, $"the collector lost its database ({lost.Message}) and is stopping to be restarted: nothing of this call was stored, try again")
            : Describe(e));
    }

    /// <summary>The status and the sentence for a failure: what happened, that nothing of the call was stored, and what to do.</summary>
    public static Status Describe(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 13 } => new(StatusCode.ResourceExhausted,
            "the collector's disk is full: nothing of this call was stored. Free space on the collector's disk; agents retry on their own"),
        SqliteException { SqliteErrorCode: 5 or 6 } => new(StatusCode.Unavailable, "the collector's database is busy; nothing was stored, try again"),
        SqliteException { SqliteErrorCode: 8 } => new(StatusCode.Unavailable,
            "the collector's database is read-only: nothing of this call was stored. Check the file's owner and mode, and that its file system is writable"),
        SqliteException { SqliteErrorCode: 10 } => new(StatusCode.Unavailable,
            "the collector cannot read or write its database (an I/O error, often a full disk): nothing of this call was stored. Its log has the cause"),
        SqliteException { SqliteErrorCode: 11 or 26 } => new(StatusCode.Internal,
            "the collector's database is damaged: restore it from a backup. Its log has the details"),
        SqliteException sqlite => new(StatusCode.Internal, $"the collector's database failed ({sqlite.Message}); its log has the details"),
        PostgresException { SqlState: PostgresErrorCodes.DiskFull or PostgresErrorCodes.OutOfMemory } => new(StatusCode.ResourceExhausted,
            "the PostgreSQL server is out of disk or memory: nothing of this call was stored. Free space on the database server; agents retry on their own"),
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable }
            => new(StatusCode.Unavailable, "the collector's database is busy; nothing was stored, try again"),
        PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.ReadOnlySqlTransaction } =>
            new(StatusCode.Unavailable, "the PostgreSQL server is shutting down, starting or read-only: nothing of this call was stored, try again"),
        PostgresException postgres => new(StatusCode.Internal, $"the collector's database failed ({postgres.SqlState}: {postgres.MessageText}); its log has the details"),
        NpgsqlException npgsql => new(StatusCode.Unavailable,
            $"the collector cannot reach its PostgreSQL server ({npgsql.Message}): nothing of this call was stored. Agents retry, and fail over to another collector if they have one"),
        IOException io => new(StatusCode.Unavailable, $"the connection to the collector broke ({io.Message}); nothing of the message in flight was stored, try again"),
        _ => new(StatusCode.Internal, $"the collector failed ({e.GetType().Name}: {e.Message}); nothing of this call was stored, and its log has the cause"),
    };
}
