namespace DaemonNet.Tests.Support;

/// <summary>
/// Polls until a condition over real, asynchronous processes holds. The timeout only bounds a
/// failing test; a passing one returns as soon as the condition holds.
/// </summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<T> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = probe();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen in time; last value: {value}");
            }
            await Task.Delay(100);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen in time; last value: {value}");
            }
            await Task.Delay(100);
        }
    }
}
