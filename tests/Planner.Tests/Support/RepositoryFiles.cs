namespace Planner.Tests.Support;

/// <summary>Finds files of this repository from the test's output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Planner.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Planner.sln not found above the test directory.");
        }
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
