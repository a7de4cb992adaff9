using Planner.IO;

namespace Planner.Tests.Data;

public class AtomicFileTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "planner-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void WriterThatThrowsMidwayLeavesThePreviousFileAndNoTempFile()
    {
        string path = Path.Combine(_dir, "model.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            s.Flush();
            throw new InvalidOperationException("disk full, pretend");
        }))!;
        Assert.That(ex.Message, Does.Contain("pretend"), "the writer's exception comes through unchanged");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void WriterThatThrowsLeavesNoFileWhenThereWasNone()
    {
        string path = Path.Combine(_dir, "new.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new IOException("boom"); }));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    [Test]
    public void ReplacesTheFileAndCreatesFolders()
    {
        string path = Path.Combine(_dir, "a", "b", "c.bin");
        AtomicFile.WriteAllBytes(path, [9]);
        AtomicFile.Write(path, s => { s.Write([4, 5]); s.Dispose(); });   // disposing early is harmless
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 4, 5 }));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1));
    }

    [Test]
    public void StreamIsSeekableSoZipWritersWork()
    {
        string path = Path.Combine(_dir, "seek.bin");
        AtomicFile.Write(path, s =>
        {
            Assert.That(s.CanSeek, Is.True);
            s.Write([0, 0, 0]);
            s.Position = 1;
            s.WriteByte(7);
        });
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 0, 7, 0 }));
    }
}
