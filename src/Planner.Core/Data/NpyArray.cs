using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Planner.Data;

/// <summary>
/// The NumPy <c>.npy</c> format (version 1.0 written; 1.0, 2.0 and 3.0 read): magic, a Python-dict header with
/// <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, padded to 64 bytes, then the raw C-order little-endian data.
/// </summary>
internal static partial class NpyArray
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int ChunkElements = 1 << 18;

    /// <summary>Writes the header for a C-order array of <paramref name="descr"/> (e.g. <c>&lt;f4</c>, <c>|u1</c>).</summary>
    public static void WriteHeader(Stream stream, string descr, ReadOnlySpan<long> shape)
    {
        var dims = new StringBuilder();
        foreach (long d in shape) dims.Append(d.ToString(CultureInfo.InvariantCulture)).Append(", ");
        string shapeText = shape.Length == 1 ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)" : $"({dims.ToString().TrimEnd(' ', ',')})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        if (header.Length > ushort.MaxValue) throw new ArgumentException("npy header too long.", nameof(shape));
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> len = [(byte)(header.Length & 0xFF), (byte)(header.Length >> 8)];
        stream.Write(len);
        stream.Write(Encoding.ASCII.GetBytes(header));
    }

    /// <summary>Writes float32 data, little-endian, feeding the same bytes to <paramref name="hash"/>.</summary>
    public static void WriteFloats(Stream stream, float[] data, IncrementalHash? hash)
    {
        for (int start = 0; start < data.Length; start += ChunkElements)
        {
            var bytes = MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(ChunkElements, data.Length - start)));
            stream.Write(bytes);
            hash?.AppendData(bytes);
        }
    }

    /// <summary>Reads exactly <c>data.Length</c> float32 values, feeding the bytes to <paramref name="hash"/>.</summary>
    /// <exception cref="EndOfStreamException">The stream ends early.</exception>
    public static void ReadFloats(Stream stream, float[] data, IncrementalHash? hash)
    {
        for (int start = 0; start < data.Length; start += ChunkElements)
        {
            var bytes = MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(ChunkElements, data.Length - start)));
            stream.ReadExactly(bytes);
            hash?.AppendData(bytes);
        }
    }

    /// <summary>A parsed header.</summary>
    public readonly record struct Header(string Descr, bool FortranOrder, long[] Shape, int HeaderBytes)
    {
        /// <summary>Elements implied by the shape.</summary>
        public long Count
        {
            get
            {
                long n = 1;
                foreach (long d in Shape) n *= d;
                return n;
            }
        }

        /// <summary>The shape as Python writes it.</summary>
        public string ShapeText => $"({string.Join(", ", Shape)})";
    }

    /// <summary>Reads and parses the header; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static Header ReadHeader(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        if (!prefix[..6].SequenceEqual(Magic)) throw new FormatException("not a .npy array (bad magic bytes)");
        int major = prefix[6];
        int length;
        Span<byte> len = stackalloc byte[4];
        if (major == 1)
        {
            stream.ReadExactly(len[..2]);
            length = len[0] | len[1] << 8;
        }
        else if (major is 2 or 3)
        {
            stream.ReadExactly(len);
            length = len[0] | len[1] << 8 | len[2] << 16 | len[3] << 24;
            if (length is < 0 or > 1 << 20) throw new FormatException($"implausible .npy header length {length}");
        }
        else
        {
            throw new FormatException($"unsupported .npy version {major}.{prefix[7]}");
        }
        var text = new byte[length];
        stream.ReadExactly(text);
        string dict = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(text);
        var descr = DescrPattern().Match(dict);
        var fortran = FortranPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new FormatException($"malformed .npy header {dict.Trim()}");
        var dims = new List<long>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                throw new FormatException($"malformed .npy shape ({shape.Groups[1].Value})");
            dims.Add(d);
        }
        return new Header(descr.Groups[1].Value, fortran.Groups[1].Value == "True", [.. dims], 8 + (major == 1 ? 2 : 4) + length);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
