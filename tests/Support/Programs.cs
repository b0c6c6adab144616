namespace DaemonNet.Tests.Support;

/// <summary>
/// Where the three programs are built. Tests run the real builds of the solution (built first by
/// scripts/test.sh), in the same configuration as the tests themselves.
/// </summary>
public static class Programs
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();

    private static readonly string Configuration =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string Agent => Built("HostAgent", "daemonnet-agent");

    public static string Collector => Built("Collector", "daemonnet-collector");

    public static string Cli => Built("Cli", "daemonnet");

    /// <summary>The native agent and CLI that scripts/publish.sh makes; scripts/test.sh publishes them before the tests run.</summary>
    public static string Published(string program)
    {
        var path = Path.Combine(RepositoryRoot, "artifacts", "publish", program);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: publish first (bash scripts/publish.sh artifacts/publish)");
    }

    private static string Built(string project, string assembly)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution first (dotnet build DaemonNet.sln -c {Configuration})");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DaemonNet.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no DaemonNet.sln above {AppContext.BaseDirectory}");
    }
}
