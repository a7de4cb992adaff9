using System.Buffers.Binary;
using System.IO.Compression;
using Planner.IO;

namespace Planner.Environments.Rendering;

/// <summary>
/// A dependency-free PNG encoder: 8-bit RGB, no interlace, every scanline with filter type 0, one zlib-compressed
/// IDAT chunk (<see cref="ZLibStream"/>), CRC-32 per chunk.
/// </summary>
public static class PngWriter
{
    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="rgb"/> (<c>[height x width x 3]</c>, row 0 at the top) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, int width, int height, ReadOnlySpan<byte> rgb)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Guard.AtLeast(width, 1, nameof(width));
        Guard.AtLeast(height, 1, nameof(height));
        Guard.Length(rgb.Length, checked(width * height * 3), nameof(rgb), $"[height={height} x width={width} x 3]");
        stream.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // colour type: truecolour
        ihdr[10] = 0;  // deflate
        ihdr[11] = 0;  // adaptive filtering (all rows use filter 0)
        ihdr[12] = 0;  // no interlace
        WriteChunk(stream, "IHDR"u8, ihdr);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            int stride = width * 3;
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(rgb.Slice(y * stride, stride));
            }
        }
        WriteChunk(stream, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(stream, "IEND"u8, []);
    }

    /// <summary>Writes a PNG file atomically.</summary>
    public static void Save(string path, int width, int height, ReadOnlySpan<byte> rgb)
    {
        byte[] copy = rgb.ToArray();
        AtomicFile.Write(path, s => Write(s, width, height, copy));
    }

    /// <summary>Writes a grayscale image of floats in [0, 1] (<c>[height x width]</c>, e.g. a pixel observation) as a PNG file.</summary>
    public static void SaveGrayscale(string path, int width, int height, ReadOnlySpan<float> gray)
    {
        Guard.Length(gray.Length, checked(width * height), nameof(gray), $"[height={height} x width={width}]");
        var rgb = new byte[gray.Length * 3];
        for (int i = 0; i < gray.Length; i++)
        {
            float v = float.IsNaN(gray[i]) ? 0f : Math.Clamp(gray[i], 0f, 1f);
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte)(v * 255f + 0.5f);
        }
        AtomicFile.Write(path, s => Write(s, width, height, rgb));
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        uint crc = Crc32.Update(Crc32.Initial, type);
        crc = Crc32.Update(crc, data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Finish(crc));
        stream.Write(word);
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as PNG and zip use it.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Starting register value.</summary>
    public const uint Initial = 0xFFFFFFFFu;

    /// <summary>Feeds bytes into the running register.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The checksum of the bytes fed so far.</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFFu;

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Initial, data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
