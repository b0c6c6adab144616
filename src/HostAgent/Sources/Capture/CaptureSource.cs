using System.Diagnostics;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Capture;

/// <summary>
/// Addresses seen on the wire: a listener per bridge (every Linux bridge on the host with
/// --capture auto, or the ones named) reads ARP and neighbour discovery into one bounded
/// <see cref="CaptureTable"/>, and each snapshot reports what it holds. A listener reads at most
/// <see cref="MaxFramesPerSecond"/> frames a second and sleeps out the rest of that second, so a
/// flood costs a bounded share of a core; the kernel drops what does not fit its buffer meanwhile.
/// The builder keeps only the VMs' own MACs.
/// </summary>
public sealed class CaptureSource(IOptions<AgentOptions> options, TimeProvider time, ILogger<CaptureSource> log) : ISnapshotSource, IDisposable
{
    public const int MaxFramesPerSecond = 2_000;

    private readonly CaptureTable table = new(CaptureTable.DefaultCapacity, CaptureTable.DefaultKeep);
    private readonly Dictionary<string, Listener> listeners = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public string Name => SourceNames.Capture;

    public Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (options.Value.Capture == AgentOptions.CaptureNone)
        {
            return Task.CompletedTask;
        }
        var problems = new List<string>();
        lock (gate)
        {
            var bridges = Bridges();
            foreach (var (bridge, listener) in listeners.Where(l => !bridges.Contains(l.Key) || l.Value.Failure is not null).ToList())
            {
                if (listener.Failure is { } failure)
                {
                    problems.Add(failure);
                }
                listener.Dispose();
                listeners.Remove(bridge);
            }
            foreach (var bridge in bridges.Where(b => !listeners.ContainsKey(b)))
            {
                try
                {
                    listeners[bridge] = Listener.Start(bridge, table, time, log);
                }
                catch (SourceException e)
                {
                    problems.Add(e.Message);
                }
            }
        }
        snapshot.Captured.Add(table.Current(time.GetUtcNow()).Select(c => new CapturedAddress
        {
            Mac = c.Mac, Ip = c.Ip, Device = c.Device, Claim = c.Claim,
            LastSeen = Timestamp.FromDateTimeOffset(new DateTimeOffset(c.LastSeen.UtcTicks - c.LastSeen.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero)),
        }));
        return problems.Count == 0 ? Task.CompletedTask : throw new SourceException(string.Join("; ", problems));
    }

    /// <summary>The bridges to listen on: every Linux bridge for auto, or the comma-separated list given.</summary>
    private HashSet<string> Bridges()
    {
        if (options.Value.Capture != AgentOptions.CaptureAuto)
        {
            return options.Value.Capture.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        }
        return Directory.Exists("/sys/class/net")
            ? Directory.GetDirectories("/sys/class/net").Where(d => Directory.Exists(Path.Combine(d, "bridge"))).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var listener in listeners.Values)
            {
                listener.Dispose();
            }
            listeners.Clear();
        }
    }

    /// <summary>One bridge's socket and the thread that reads it; the thread closes the socket when it stops.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly CancellationTokenSource stop = new();

        public string? Failure { get; private set; }

        public static Listener Start(string bridge, CaptureTable table, TimeProvider time, ILogger log)
        {
            var socket = PacketSocket.Open(bridge);
            var listener = new Listener();
            var token = listener.stop.Token;
            new Thread(() => listener.Run(socket, bridge, table, time, token)) { IsBackground = true, Name = $"capture {bridge}" }.Start();
            log.LogInformation("Capturing ARP and neighbour discovery on {Bridge}", bridge);
            return listener;
        }

        private void Run(PacketSocket socket, string bridge, CaptureTable table, TimeProvider time, CancellationToken token)
        {
            var frame = new byte[2_048];
            var second = Stopwatch.StartNew();
            var read = 0;
            try
            {
                while (!token.IsCancellationRequested)
                {
                    var length = socket.Receive(frame);
                    if (length > 0 && NeighbourFrames.TryParse(frame.AsSpan(0, length), out var sighting))
                    {
                        table.Saw(sighting, bridge, time.GetUtcNow());
                    }
                    if (second.ElapsedMilliseconds >= 1_000)
                    {
                        second.Restart();
                        read = 0;
                    }
                    else if (++read >= MaxFramesPerSecond)
                    {
                        Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(0, 1_000 - second.ElapsedMilliseconds)));
                    }
                }
            }
            catch (SourceException e)
            {
                Failure = $"{bridge}: {e.Message}";
            }
            finally
            {
                socket.Dispose();
            }
        }

        public void Dispose() => stop.Cancel();
    }
}
