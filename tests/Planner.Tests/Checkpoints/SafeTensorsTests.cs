using Planner.Checkpoints;

namespace Planner.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Test]
    public void RoundTripKeepsNamesShapesOrderAndValues()
    {
        var tensors = new List<NamedTensor>
        {
            new("b", [2, 3], [1, 2, 3, 4, 5, float.Epsilon]),
            new("a", [1], [-0f]),
            new("scalar", [], [42f]),
            new("empty", [0, 5], []),
        };
        var content = SafeTensors.Parse(SafeTensors.Serialize(tensors, new Dictionary<string, string> { ["k"] = "v" }), "test");
        Assert.That(content.Order, Is.EqualTo(new[] { "b", "a", "scalar", "empty" }));
        Assert.That(content.Metadata["k"], Is.EqualTo("v"));
        foreach (var t in tensors)
        {
            Assert.That(content.Tensors[t.Name].Shape, Is.EqualTo(t.Shape));
            Assert.That(content.Tensors[t.Name].Data, Is.EqualTo(t.Data));
        }
        Assert.That(BitConverter.SingleToInt32Bits(content.Tensors["a"].Data[0]), Is.EqualTo(BitConverter.SingleToInt32Bits(-0f)));
    }

    [Test]
    public void OtherDtypesAndBadOffsetsAreRejectedWithReasons()
    {
        byte[] f16 = Build("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Parse(f16, "f"))!.Message, Does.Contain("F16").And.Contain("F32 only"));
        byte[] offsets = Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Parse(offsets, "f"))!.Message, Does.Contain("needs 8 bytes"));
        byte[] json = Build("{\"x\":", 0);
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Parse(json, "f"))!.Message, Does.Contain("malformed JSON"));
        byte[] huge = new byte[16];
        huge[7] = 0x7F;
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Parse(huge, "f"))!.Message, Does.Contain("header length"));
        byte[] extended = Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8);
        Assert.That(Assert.Throws<CheckpointException>(() => SafeTensors.Parse(extended, "f"))!.Message, Does.Contain("extended"));
    }

    [Test]
    public void DuplicateOrInconsistentTensorsCannotBeWritten()
    {
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new("x", [1], [1]), new("x", [1], [2])]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Serialize([new("x", [2], [1])]));
    }

    private static byte[] Build(string header, int dataBytes)
    {
        var h = System.Text.Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }
}
