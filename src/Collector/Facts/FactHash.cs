using System.IO.Hashing;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DaemonNet.Collector.Facts;

/// <summary>
/// A 64-bit hash (XXH3) of every value a fact or a key holds: a record's positional properties,
/// a tuple's items. Equal values hash alike; two that differ hash alike with a chance of one in
/// 2^64, which is what lets <see cref="OpenRows"/> keep a host's open rows as ids and hashes
/// rather than whole facts.
/// </summary>
public static class FactHash<T>
{
    private static readonly Action<T, XxHash3> Feed = Build();

    [ThreadStatic]
    private static XxHash3? hasher;

    public static ulong Of(T value)
    {
        var state = hasher ??= new XxHash3();
        state.Reset();
        Feed(value, state);
        return state.GetCurrentHashAsUInt64();
    }

    /// <summary>
    /// Appends the value itself where it is text or a number; otherwise each of its values in turn:
    /// a record's properties that have setters (computed ones are left out), or a tuple's fields.
    /// </summary>
    private static Action<T, XxHash3> Build()
    {
        var value = Expression.Parameter(typeof(T), "value");
        var state = Expression.Parameter(typeof(XxHash3), "state");
        if (typeof(FactHashAppend).GetMethod(nameof(FactHashAppend.Append), [typeof(XxHash3), typeof(T)]) is { } single)
        {
            return Expression.Lambda<Action<T, XxHash3>>(Expression.Call(single, state, value), value, state).Compile();
        }
        IEnumerable<MemberInfo> members = typeof(T).IsValueType && typeof(T).FullName!.StartsWith("System.ValueTuple", StringComparison.Ordinal)
            ? typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance)
            : typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);
        var appends = members.Select(member =>
        {
            var type = member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;
            var append = typeof(FactHashAppend).GetMethod(nameof(FactHashAppend.Append), [typeof(XxHash3), type])
                ?? throw new NotSupportedException($"{typeof(T).Name}.{member.Name} is a {type.Name}, which FactHash does not hash");
            return (Expression)Expression.Call(append, state, Expression.MakeMemberAccess(value, member));
        }).ToList();
        return Expression.Lambda<Action<T, XxHash3>>(appends.Count == 0 ? Expression.Empty() : Expression.Block(appends), value, state).Compile();
    }
}

/// <summary>How <see cref="FactHash{T}"/> appends one value: a length before text, so that ("ab", "c") and ("a", "bc") differ.</summary>
public static class FactHashAppend
{
    public static void Append(XxHash3 state, string? text)
    {
        Append(state, (long)(text?.Length ?? -1));
        state.Append(MemoryMarshal.AsBytes((text ?? "").AsSpan()));
    }

    public static void Append(XxHash3 state, long number) => state.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<long>(in number)));

    public static void Append(XxHash3 state, long? number)
    {
        Append(state, number.HasValue ? 1L : 0L);
        Append(state, number ?? 0);
    }
}
