using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Planner.Checkpoints;

/// <summary>
/// The safetensors format (float32 only): an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
/// name to <c>{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}</c> (offsets relative to the data that follows),
/// then the raw little-endian data. Python's <c>safetensors</c> reads it, and so does a few lines of NumPy.
/// </summary>
public static class SafeTensors
{
    private const int MaxHeaderBytes = 100_000_000; // the reference implementation's limit

    /// <summary>Serialises tensors (in the given order) with optional string metadata under <c>__metadata__</c>.</summary>
    public static byte[] Serialize(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var t in tensors)
            {
                t.Validate();
                if (t.Name == "__metadata__" || !names.Add(t.Name))
                    throw new ArgumentException($"tensor name '{t.Name}' is reserved or used twice.", nameof(tensors));
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.Data.Length * 4L;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int headerLength = (int)headerStream.Length;
        int padded = (headerLength + 7) / 8 * 8; // align the data to 8 bytes, padding with spaces as the spec allows
        var bytes = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        headerStream.GetBuffer().AsSpan(0, headerLength).CopyTo(bytes.AsSpan(8));
        bytes.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
        long at = 8 + padded;
        foreach (var t in tensors)
        {
            var dst = bytes.AsSpan((int)at, t.Data.Length * 4);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(t.Data.AsSpan()).CopyTo(dst);
            else for (int i = 0; i < t.Data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(i * 4)..], t.Data[i]);
            at += t.Data.Length * 4L;
        }
        return bytes;
    }

    /// <summary>
    /// Parses a safetensors file held in memory. <paramref name="source"/> names it in error messages. Throws
    /// <see cref="CheckpointException"/> for a truncated file, a malformed header, a dtype other than F32, or offsets that
    /// disagree with a shape.
    /// </summary>
    public static SafeTensorsContent Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8)
            throw new CheckpointException($"{source} is truncated: {bytes.Length} bytes, fewer than the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointException($"{source} is not a safetensors file: its header length field says {headerLength} bytes (limit {MaxHeaderBytes}).");
        if ((ulong)bytes.Length < 8 + headerLength)
            throw new CheckpointException($"{source} is truncated: {bytes.Length} bytes, but its header alone needs {8 + headerLength}.");
        var data = bytes[(8 + (int)headerLength)..];

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{source} has a malformed JSON header: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{source} has a JSON header that is not an object.");
            var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
            var order = new List<string>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            long dataEnd = 0;
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                    continue;
                }
                var t = ReadTensor(entry, data, source, out long end);
                tensors[t.Name] = t;
                order.Add(t.Name);
                dataEnd = Math.Max(dataEnd, end);
            }
            if (dataEnd != data.Length)
                throw new CheckpointException($"{source} has {data.Length} data bytes after its header, but its tensors describe {dataEnd}: the file was {(data.Length < dataEnd ? "truncated" : "extended")}.");
            return new SafeTensorsContent(tensors, order, metadata);
        }
    }

    private static NamedTensor ReadTensor(JsonProperty entry, ReadOnlySpan<byte> data, string source, out long end)
    {
        string name = entry.Name;
        try
        {
            var v = entry.Value;
            string dtype = v.GetProperty("dtype").GetString() ?? "";
            if (dtype != "F32")
                throw new CheckpointException($"{source}: tensor '{name}' has dtype {dtype}; this reader supports F32 only.");
            var shapeList = new List<int>();
            foreach (var d in v.GetProperty("shape").EnumerateArray()) shapeList.Add(d.GetInt32());
            var offsets = v.GetProperty("data_offsets");
            long begin = offsets[0].GetInt64();
            end = offsets[1].GetInt64();
            int[] shape = shapeList.ToArray();
            long count = 1;
            foreach (int d in shape)
            {
                if (d < 0) throw new CheckpointException($"{source}: tensor '{name}' has a negative dimension in shape {NamedTensor.Format(shape)}.");
                count *= d;
            }
            if (begin < 0 || end < begin || end - begin != count * 4)
                throw new CheckpointException($"{source}: tensor '{name}' has data_offsets [{begin}, {end}] ({end - begin} bytes), but shape {NamedTensor.Format(shape)} in F32 needs {count * 4} bytes.");
            if (end > data.Length)
                throw new CheckpointException($"{source} is truncated: tensor '{name}' ends at data byte {end}, but only {data.Length} data bytes follow the header.");
            var values = new float[count];
            var src = data.Slice((int)begin, (int)(count * 4));
            if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]);
            return new NamedTensor(name, shape, values);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new CheckpointException($"{source}: the header entry for tensor '{name}' is malformed ({e.Message}); expected {{\"dtype\", \"shape\", \"data_offsets\"}}.", e);
        }
    }
}

/// <summary>What a safetensors file holds.</summary>
/// <param name="Tensors">Tensors by name.</param>
/// <param name="Order">Tensor names in header order.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings (empty when absent).</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, NamedTensor> Tensors, IReadOnlyList<string> Order, IReadOnlyDictionary<string, string> Metadata);
