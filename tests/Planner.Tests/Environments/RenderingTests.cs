using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Planner.Environments.Mazes;
using Planner.Environments.Rendering;

namespace Planner.Tests.Environments;

public class RenderingTests
{
    /// <summary>A minimal PNG decoder for 8-bit RGB, filter 0 images: checks every chunk CRC and returns the pixels.</summary>
    private static (int Width, int Height, byte[] Rgb, List<string> Chunks) Decode(byte[] png)
    {
        Assert.That(png.AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        int pos = 8, width = 0, height = 0;
        var idat = new MemoryStream();
        var chunks = new List<string>();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.That(crc, Is.EqualTo(Crc32.Compute(png.AsSpan(pos + 4, 4 + length))), $"CRC of {type}");
            chunks.Add(type);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                Assert.That(body[8..].ToArray(), Is.EqualTo(new byte[] { 8, 2, 0, 0, 0 }), "8-bit RGB, deflate, no interlace");
            }
            if (type == "IDAT") idat.Write(body);
            pos += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        byte[] scanlines = raw.ToArray();
        Assert.That(scanlines, Has.Length.EqualTo(height * (1 + width * 3)));
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            Assert.That(scanlines[y * (1 + width * 3)], Is.EqualTo(0), "filter type");
            Array.Copy(scanlines, y * (1 + width * 3) + 1, rgb, y * width * 3, width * 3);
        }
        return (width, height, rgb, chunks);
    }

    [Test]
    public void Crc32MatchesKnownVectors()
    {
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));
        Assert.That(Crc32.Compute("IEND"u8), Is.EqualTo(0xAE426082u));
    }

    [Test]
    public void PngRoundTripsThroughAnIndependentDecoder()
    {
        const int w = 37, h = 23;
        var rgb = new byte[w * h * 3];
        var random = new Planner.Numerics.DeterministicRandom(4);
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)random.NextInt(256);
        using var stream = new MemoryStream();
        PngWriter.Write(stream, w, h, rgb);
        var (width, height, pixels, chunks) = Decode(stream.ToArray());
        Assert.That((width, height), Is.EqualTo((w, h)));
        Assert.That(pixels, Is.EqualTo(rgb));
        Assert.That(chunks, Is.EqualTo(new[] { "IHDR", "IDAT", "IEND" }));
        Assert.That(() => PngWriter.Write(new MemoryStream(), w, h, new byte[10]), Throws.ArgumentException.With.Property("ParamName").EqualTo("rgb"));
    }

    [Test]
    public void GrayscaleObservationSavesAsPng()
    {
        string path = Path.Combine(Path.GetTempPath(), $"planner-gray-{Guid.NewGuid():N}.png");
        try
        {
            PngWriter.SaveGrayscale(path, 2, 2, [0f, 0.5f, 1f, float.NaN]);
            var (_, _, pixels, _) = Decode(File.ReadAllBytes(path));
            Assert.That(pixels, Is.EqualTo(new byte[] { 0, 0, 0, 128, 128, 128, 255, 255, 255, 0, 0, 0 }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void CirclesLinesAndRectanglesInkTheRightPixels()
    {
        var canvas = new RasterCanvas(40, 30);
        var blue = new Rgb(0, 0, 255);
        canvas.FillCircle(10.5f, 10.5f, 4f, blue);
        Assert.That(canvas.GetPixel(10, 10), Is.EqualTo(blue));
        Assert.That(canvas.GetPixel(13, 10), Is.EqualTo(blue), "inside the radius");
        Assert.That(canvas.GetPixel(16, 10), Is.EqualTo(Rgb.White), "outside radius + 1");
        var edge = canvas.GetPixel(14, 10);   // centre 4 px from the circle centre: half covered
        Assert.That(edge.B, Is.EqualTo(255));
        Assert.That(edge.R, Is.InRange(100, 160));

        canvas.DrawLine(0f, 25.5f, 40f, 25.5f, Rgb.Black, 1f);
        for (int x = 0; x < 40; x++) Assert.That(canvas.GetPixel(x, 25), Is.EqualTo(Rgb.Black), $"line pixel {x}");
        Assert.That(canvas.GetPixel(20, 23), Is.EqualTo(Rgb.White));

        canvas.FillRectangle(30, 0, 100, 5, Rgb.GoalRed);   // clipped, no exception
        Assert.That(canvas.GetPixel(39, 4), Is.EqualTo(Rgb.GoalRed));
        Assert.That(canvas.GetPixel(29, 4), Is.EqualTo(Rgb.White));
        canvas.FillCircle(-50f, -50f, 3f, blue);   // fully outside: nothing
        canvas.DrawLine(float.NaN, 0, 1, 1, blue);  // ignored
    }

    [Test]
    public void PolylineInksEachPixelOnceSoRetracingChangesNothing()
    {
        var once = new RasterCanvas(30, 30);
        once.DrawPolyline([3f, 4f, 25f, 20f], new Rgb(200, 0, 0), 2.5f);
        var retraced = new RasterCanvas(30, 30);
        retraced.DrawPolyline([3f, 4f, 25f, 20f, 3f, 4f, 25f, 20f], new Rgb(200, 0, 0), 2.5f);
        Assert.That(retraced.Pixels, Is.EqualTo(once.Pixels));
        Assert.That(once.Pixels.Count(b => b != 255), Is.GreaterThan(40));
    }

    [Test]
    public void TextFollowsTheGlyphs()
    {
        var canvas = new RasterCanvas(20, 20);
        canvas.DrawText(2, 3, "7", Rgb.Black, scale: 2);
        for (int row = 0; row < 7; row++)
            for (int col = 0; col < 5; col++)
            {
                bool ink = PixelFont.IsInk('7', col, row);
                Assert.That(canvas.GetPixel(2 + col * 2 + 1, 3 + row * 2 + 1), Is.EqualTo(ink ? Rgb.Black : Rgb.White), $"glyph pixel ({col}, {row})");
            }
        Assert.That(PixelFont.IsInk('7', 0, 0) && !PixelFont.IsInk('7', 0, 6), Is.True, "top bar, no bottom-left");
        Assert.That(PixelFont.MeasureWidth("AB", 2), Is.EqualTo(22));
    }

    [Test]
    public void MazePlotDrawsWallsTrajectoryAndMarkers()
    {
        var layout = BuiltInLayouts.Get("two-rooms");
        var plot = new MazePlot(layout, pixelsPerCell: 20);
        Assert.That((plot.Canvas.Width, plot.Canvas.Height), Is.EqualTo((220, 140)));
        var colour = plot.DrawTrajectory([1.5f, 3.525f, 9.5f, 3.525f]);   // straight through the door, on pixel row 70 centres
        Assert.That(colour, Is.EqualTo(Rgb.Palette[0]));
        Assert.That(plot.DrawTrajectory([1.5f, 1.5f, 2.5f, 1.5f]), Is.EqualTo(Rgb.Palette[1]), "next trajectory, next colour");
        plot.DrawStart(1.5f, 5.5f);
        plot.DrawGoal(9.5f, 5.5f);
        plot.DrawSubgoal(5.5f, 3.5f - 1f, number: 1);

        Assert.That(plot.Canvas.GetPixel(5, 5), Is.EqualTo(Rgb.Wall), "corner wall cell");
        Assert.That(plot.Canvas.GetPixel(5 * 20 + 10, 1 * 20 + 10), Is.EqualTo(Rgb.Wall), "dividing wall");
        Assert.That(plot.Canvas.GetPixel(3 * 20 + 10, 5 * 20 + 5), Is.EqualTo(Rgb.White), "free space");
        Assert.That(plot.Canvas.GetPixel(5 * 20 + 10, 3 * 20 + 10), Is.EqualTo(colour), "trajectory passes the door");
        Assert.That(plot.Canvas.GetPixel(30, 110), Is.EqualTo(Rgb.StartGreen));
        Assert.That(plot.Canvas.GetPixel(190, 110), Is.EqualTo(Rgb.GoalRed));
        Assert.That(plot.Canvas.GetPixel(110, 50), Is.EqualTo(Rgb.SubgoalOrange));

        using var png = new MemoryStream();
        plot.Canvas.WritePng(png);
        var (w, h, rgb, _) = Decode(png.ToArray());
        Assert.That((w, h), Is.EqualTo((220, 140)));
        Assert.That(rgb, Is.EqualTo(plot.Canvas.Pixels));
    }

    [Test]
    public void DatasetEpisodesCanBePlotted()
    {
        var layout = BuiltInLayouts.Get("open");
        var data = Planner.Environments.Collection.DataCollector.Collect(layout,
            new Planner.Environments.Collection.CollectOptions { Episodes = 3, Steps = 50, Seed = 5 });
        var plot = new MazePlot(layout, 16);
        plot.DrawEpisodes(data, maxEpisodes: 2);
        int coloured = 0;
        for (int i = 0; i < plot.Canvas.Pixels.Length; i += 3)
        {
            var p = new Rgb(plot.Canvas.Pixels[i], plot.Canvas.Pixels[i + 1], plot.Canvas.Pixels[i + 2]);
            if (p == Rgb.Palette[0] || p == Rgb.Palette[1]) coloured++;
        }
        Assert.That(coloured, Is.GreaterThan(50));
        Assert.That(plot.Canvas.GetPixel((int)(data.Positions[0] * 16), (int)(data.Positions[1] * 16)), Is.EqualTo(Rgb.StartGreen));
    }
}
