using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Planner.Data;
using Planner.Numerics;

namespace Planner.Tests.Data;

public class TrajectoryDatasetFileTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "planner-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static TrajectoryDataset RandomDataset(int e, int t, int[] obsShape, int a, int p, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        int o = 1;
        foreach (int s in obsShape) o *= s;
        float[] Fill(int n)
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = random.NextGaussian() * 1e3f;
            return x;
        }
        var obs = Fill(e * (t + 1) * o);
        // Awkward bit patterns must survive: negative zero, subnormals, extremes.
        obs[0] = -0f; obs[1] = float.Epsilon; obs[2] = float.MaxValue; obs[3] = float.MinValue; obs[4] = 1e-40f;
        return new TrajectoryDataset(e, t, o, a, obs, Fill(e * t * a), p, p > 0 ? Fill(e * (t + 1) * p) : null,
            new Dictionary<string, string> { ["layout"] = "four-rooms", ["seed"] = seed.ToString(), ["note"] = "ünïcode ✓" }, obsShape);
    }

    private static void AssertBitExact(float[] expected, float[] actual)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"element {i}: {expected[i]} != {actual[i]}");
    }

    [TestCase(new[] { 4 }, 2)]
    [TestCase(new[] { 8, 8 }, 2)]
    [TestCase(new[] { 3 }, 0)]
    public void RoundTripIsBitExact(int[] obsShape, int positionDim)
    {
        var data = RandomDataset(3, 7, obsShape, 2, positionDim, 17);
        string path = Path.Combine(_dir, "sub", "data.npz");
        TrajectoryDatasetFile.Save(data, path);
        var back = TrajectoryDatasetFile.Load(path);
        Assert.That((back.Episodes, back.Steps, back.ObservationDim, back.ActionDim, back.PositionDim),
            Is.EqualTo((data.Episodes, data.Steps, data.ObservationDim, data.ActionDim, data.PositionDim)));
        Assert.That(back.ObservationShape, Is.EqualTo(obsShape));
        AssertBitExact(data.Observations, back.Observations);
        AssertBitExact(data.Actions, back.Actions);
        AssertBitExact(data.Positions, back.Positions);
        Assert.That(back.Metadata, Is.EquivalentTo(data.Metadata));
        Assert.That(Directory.GetFiles(Path.Combine(_dir, "sub")), Is.EqualTo(new[] { path }), "no temporary files left behind");
    }

    [Test]
    public void FileIsAPlainNpzThatNumPyCanRead()
    {
        var data = RandomDataset(2, 3, [8, 8], 2, 2, 5);
        string path = Path.Combine(_dir, "pixels.npz");
        TrajectoryDatasetFile.Save(data, path);
        using var zip = ZipFile.OpenRead(path);
        Assert.That(zip.Entries.Select(x => x.FullName), Is.EquivalentTo(new[] { "observations.npy", "actions.npy", "positions.npy", "metadata.npy" }));

        (string Header, byte[] Payload) Read(string name)
        {
            using var s = zip.GetEntry(name)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            byte[] all = m.ToArray();
            Assert.That(all.AsSpan(0, 6).ToArray(), Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }));
            Assert.That((all[6], all[7]), Is.EqualTo(((byte)1, (byte)0)));
            int len = all[8] | all[9] << 8;
            Assert.That((10 + len) % 64, Is.EqualTo(0), "numpy aligns the data to 64 bytes");
            string header = Encoding.ASCII.GetString(all, 10, len);
            Assert.That(header, Does.EndWith("\n"));
            return (header, all[(10 + len)..]);
        }

        var obs = Read("observations.npy");
        Assert.That(obs.Header, Does.StartWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 8, 8), }"));
        var act = Read("actions.npy");
        Assert.That(act.Header, Does.StartWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 2), }"));
        var pos = Read("positions.npy");
        var meta = Read("metadata.npy");
        Assert.That(meta.Header, Does.StartWith($"{{'descr': '|u1', 'fortran_order': False, 'shape': ({meta.Payload.Length},), }}"));

        using var json = JsonDocument.Parse(meta.Payload);
        var root = json.RootElement;
        Assert.That(root.GetProperty("format_version").GetInt32(), Is.EqualTo(TrajectoryDatasetFile.FormatVersion));
        Assert.That(root.GetProperty("attributes").GetProperty("layout").GetString(), Is.EqualTo("four-rooms"));
        // The checksum is what a Python user computes: sha256(obs.tobytes() + act.tobytes() + pos.tobytes()).
        string expected = Convert.ToHexStringLower(SHA256.HashData([.. obs.Payload, .. act.Payload, .. pos.Payload]));
        Assert.That(root.GetProperty("checksum").GetProperty("value").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void TruncatedFileThrowsInvalidDataNamingTheFile()
    {
        string path = Path.Combine(_dir, "trunc.npz");
        TrajectoryDatasetFile.Save(RandomDataset(4, 10, [4], 2, 2, 1), path);
        byte[] bytes = File.ReadAllBytes(path);
        foreach (int keep in new[] { 0, 10, bytes.Length / 3, bytes.Length / 2, bytes.Length - 30, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..keep]);
            Assert.That(() => TrajectoryDatasetFile.Load(path),
                Throws.TypeOf<InvalidDataException>().With.Message.Contains(path), $"kept {keep} of {bytes.Length} bytes");
        }
    }

    [Test]
    public void CorruptedPayloadIsCaughtByTheChecksum()
    {
        string path = Path.Combine(_dir, "corrupt.npz");
        var data = RandomDataset(4, 10, [4], 2, 2, 2);
        TrajectoryDatasetFile.Save(data, path, CompressionLevel.NoCompression);   // stored entries: a flipped byte is a flipped float
        byte[] bytes = File.ReadAllBytes(path);
        byte[] needle = BitConverter.GetBytes(data.Actions[5]);
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.That(at, Is.GreaterThan(0));
        bytes[at] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.That(() => TrajectoryDatasetFile.Load(path),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains(path).And.Message.Contains("corrupted"));
    }

    [Test]
    public void RandomByteFlipsNeverLoadSilently()
    {
        string path = Path.Combine(_dir, "flip.npz");
        var data = RandomDataset(3, 6, [4], 2, 2, 3);
        TrajectoryDatasetFile.Save(data, path);
        byte[] original = File.ReadAllBytes(path);
        var random = new DeterministicRandom(99);
        for (int trial = 0; trial < 60; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int at = random.NextInt(bytes.Length);
            bytes[at] ^= (byte)(1 + random.NextInt(255));
            File.WriteAllBytes(path, bytes);
            try
            {
                var back = TrajectoryDatasetFile.Load(path);
                // A flip in zip bookkeeping that does not touch any data (e.g. a timestamp) may load: then it must be identical.
                AssertBitExact(data.Observations, back.Observations);
                AssertBitExact(data.Actions, back.Actions);
                AssertBitExact(data.Positions, back.Positions);
            }
            catch (InvalidDataException ex)
            {
                Assert.That(ex.Message, Does.Contain(path), $"flip at byte {at}");
            }
        }
    }

    [Test]
    public void ShapeMismatchWithMetadataIsReported()
    {
        string path = Path.Combine(_dir, "mismatch.npz");
        TrajectoryDatasetFile.Save(RandomDataset(2, 3, [4], 2, 2, 4), path);
        // Replace actions.npy by an array of another shape.
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("actions.npy")!.Delete();
            using var s = zip.CreateEntry("actions.npy").Open();
            byte[] header = Encoding.ASCII.GetBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 2), }".PadRight(117) + "\n");
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
            s.Write(header);
            s.Write(new byte[2 * 4 * 2 * 4]);
        }
        Assert.That(() => TrajectoryDatasetFile.Load(path), Throws.TypeOf<InvalidDataException>()
            .With.Message.Contains(path).And.Message.Contains("actions.npy").And.Message.Contains("(2, 4, 2)").And.Message.Contains("(2, 3, 2)"));
    }

    [Test]
    public void MissingEntryAndNonZipAndMissingFileAreReported()
    {
        string path = Path.Combine(_dir, "x.npz");
        TrajectoryDatasetFile.Save(RandomDataset(1, 2, [4], 2, 0, 6), path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update)) zip.GetEntry("observations.npy")!.Delete();
        Assert.That(() => TrajectoryDatasetFile.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("observations.npy"));

        File.WriteAllText(path, "hello, not a zip");
        Assert.That(() => TrajectoryDatasetFile.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains(path));
        Assert.That(() => TrajectoryDatasetFile.Load(Path.Combine(_dir, "none.npz")), Throws.TypeOf<FileNotFoundException>());
    }

    [Test]
    public void SavingOverAnExistingFileReplacesItAndABadTargetLeavesItAlone()
    {
        // The writer-throws-midway case is covered for every AtomicFile user in AtomicFileTests.
        string path = Path.Combine(_dir, "keep.npz");
        TrajectoryDatasetFile.Save(RandomDataset(2, 3, [4], 2, 2, 7), path);
        var second = RandomDataset(3, 2, [4], 2, 2, 8);
        TrajectoryDatasetFile.Save(second, path);
        AssertBitExact(second.Observations, TrajectoryDatasetFile.Load(path).Observations);
        byte[] before = File.ReadAllBytes(path);

        string folderPath = Path.Combine(_dir, "is-a-folder.npz");
        Directory.CreateDirectory(folderPath);
        Assert.That(() => TrajectoryDatasetFile.Save(second, folderPath), Throws.ArgumentException.With.Message.Contains("folder"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temporary files left behind");
    }
}
