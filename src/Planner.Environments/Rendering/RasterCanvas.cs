namespace Planner.Environments.Rendering;

/// <summary>
/// An RGB raster (<c>[Height x Width x 3]</c> bytes, row 0 at the top) with anti-aliased lines, circles and polylines,
/// rectangles and 5x7 pixel text. Coordinates are in pixels; (0, 0) is the top-left corner of the top-left pixel, so
/// the centre of pixel (i, j) is (i + 0.5, j + 0.5). Drawing outside the canvas is clipped.
/// </summary>
public sealed class RasterCanvas
{
    /// <summary>Creates a canvas filled with <paramref name="background"/> (white when omitted).</summary>
    public RasterCanvas(int width, int height, Rgb? background = null)
    {
        Guard.AtLeast(width, 1, nameof(width));
        Guard.AtLeast(height, 1, nameof(height));
        if ((long)width * height * 3 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"a {width} x {height} canvas is too large.");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        Clear(background ?? Rgb.White);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixels, <c>[Height x Width x 3]</c> RGB bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>Fills the whole canvas.</summary>
    public void Clear(Rgb colour)
    {
        for (int i = 0; i < Pixels.Length; i += 3)
        {
            Pixels[i] = colour.R;
            Pixels[i + 1] = colour.G;
            Pixels[i + 2] = colour.B;
        }
    }

    /// <summary>The colour of pixel (x, y).</summary>
    public Rgb GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width} x {Height} canvas.");
        int i = (y * Width + x) * 3;
        return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    /// <summary>Sets pixel (x, y); ignored outside the canvas.</summary>
    public void SetPixel(int x, int y, Rgb colour) => Blend(x, y, colour, 1f);

    /// <summary>Mixes <paramref name="colour"/> into pixel (x, y) with opacity <paramref name="alpha"/> in [0, 1].</summary>
    public void Blend(int x, int y, Rgb colour, float alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || !(alpha > 0)) return;
        int i = (y * Width + x) * 3;
        if (alpha >= 1)
        {
            Pixels[i] = colour.R;
            Pixels[i + 1] = colour.G;
            Pixels[i + 2] = colour.B;
            return;
        }
        Pixels[i] = (byte)(Pixels[i] + (colour.R - Pixels[i]) * alpha + 0.5f);
        Pixels[i + 1] = (byte)(Pixels[i + 1] + (colour.G - Pixels[i + 1]) * alpha + 0.5f);
        Pixels[i + 2] = (byte)(Pixels[i + 2] + (colour.B - Pixels[i + 2]) * alpha + 0.5f);
    }

    /// <summary>Fills the pixel rectangle [x, x + width) x [y, y + height).</summary>
    public void FillRectangle(int x, int y, int width, int height, Rgb colour)
    {
        int x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        int x1 = Math.Min(x + width, Width), y1 = Math.Min(y + height, Height);
        for (int py = y0; py < y1; py++)
            for (int px = x0; px < x1; px++)
                SetPixel(px, py, colour);
    }

    /// <summary>Draws the outline of the pixel rectangle [x, x + width) x [y, y + height), <paramref name="thickness"/> pixels wide, inside it.</summary>
    public void DrawRectangle(int x, int y, int width, int height, Rgb colour, int thickness = 1)
    {
        Guard.AtLeast(thickness, 1, nameof(thickness));
        FillRectangle(x, y, width, thickness, colour);
        FillRectangle(x, y + height - thickness, width, thickness, colour);
        FillRectangle(x, y, thickness, height, colour);
        FillRectangle(x + width - thickness, y, thickness, height, colour);
    }

    /// <summary>An anti-aliased filled disc.</summary>
    public void FillCircle(float cx, float cy, float radius, Rgb colour)
    {
        if (!(radius > 0) || !float.IsFinite(cx) || !float.IsFinite(cy)) return;
        ForEachPixelNear(cx - radius, cy - radius, cx + radius, cy + radius, (px, py) =>
        {
            float d = MathF.Sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy));
            return radius + 0.5f - d;
        }, colour);
    }

    /// <summary>An anti-aliased circle outline of the given stroke thickness.</summary>
    public void DrawCircle(float cx, float cy, float radius, Rgb colour, float thickness = 1f)
    {
        if (!(radius > 0) || !(thickness > 0) || !float.IsFinite(cx) || !float.IsFinite(cy)) return;
        float half = thickness / 2;
        ForEachPixelNear(cx - radius - half, cy - radius - half, cx + radius + half, cy + radius + half, (px, py) =>
        {
            float d = MathF.Sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy));
            return half + 0.5f - MathF.Abs(d - radius);
        }, colour);
    }

    /// <summary>An anti-aliased line segment with round caps, <paramref name="thickness"/> pixels wide.</summary>
    public void DrawLine(float x0, float y0, float x1, float y1, Rgb colour, float thickness = 1f)
    {
        if (!(thickness > 0) || !float.IsFinite(x0) || !float.IsFinite(y0) || !float.IsFinite(x1) || !float.IsFinite(y1)) return;
        float half = thickness / 2;
        float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
        ForEachPixelNear(MathF.Min(x0, x1) - half, MathF.Min(y0, y1) - half, MathF.Max(x0, x1) + half, MathF.Max(y0, y1) + half, (px, py) =>
        {
            float t = len2 > 0 ? Math.Clamp(((px - x0) * dx + (py - y0) * dy) / len2, 0f, 1f) : 0f;
            float ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
            return half + 0.5f - MathF.Sqrt(ex * ex + ey * ey);
        }, colour);
    }

    /// <summary>Connected line segments through points <c>[x0, y0, x1, y1, ...]</c> (pixels). Each pixel is inked once, so joints do not darken.</summary>
    public void DrawPolyline(ReadOnlySpan<float> xy, Rgb colour, float thickness = 1f)
    {
        if (xy.Length % 2 != 0) throw new ArgumentException($"xy has {xy.Length} elements; expected pairs [x0, y0, x1, y1, ...].", nameof(xy));
        if (xy.Length == 0 || !(thickness > 0)) return;
        if (xy.Length == 2)
        {
            FillCircle(xy[0], xy[1], thickness / 2, colour);
            return;
        }
        // Coverage per pixel is the maximum over segments, so overlapping segments do not blend twice.
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        for (int i = 0; i < xy.Length; i += 2)
        {
            if (!float.IsFinite(xy[i]) || !float.IsFinite(xy[i + 1])) continue;
            minX = MathF.Min(minX, xy[i]); maxX = MathF.Max(maxX, xy[i]);
            minY = MathF.Min(minY, xy[i + 1]); maxY = MathF.Max(maxY, xy[i + 1]);
        }
        if (minX > maxX) return;
        float half = thickness / 2;
        int bx0 = Math.Max(0, (int)MathF.Floor(minX - half - 1)), by0 = Math.Max(0, (int)MathF.Floor(minY - half - 1));
        int bx1 = Math.Min(Width - 1, (int)MathF.Ceiling(maxX + half + 1)), by1 = Math.Min(Height - 1, (int)MathF.Ceiling(maxY + half + 1));
        if (bx0 > bx1 || by0 > by1) return;
        int bw = bx1 - bx0 + 1;
        var coverage = new float[bw * (by1 - by0 + 1)];
        for (int i = 0; i + 3 < xy.Length; i += 2)
        {
            float x0 = xy[i], y0 = xy[i + 1], x1 = xy[i + 2], y1 = xy[i + 3];
            if (!float.IsFinite(x0) || !float.IsFinite(y0) || !float.IsFinite(x1) || !float.IsFinite(y1)) continue;
            float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
            int sx0 = Math.Max(bx0, (int)MathF.Floor(MathF.Min(x0, x1) - half - 1)), sx1 = Math.Min(bx1, (int)MathF.Ceiling(MathF.Max(x0, x1) + half + 1));
            int sy0 = Math.Max(by0, (int)MathF.Floor(MathF.Min(y0, y1) - half - 1)), sy1 = Math.Min(by1, (int)MathF.Ceiling(MathF.Max(y0, y1) + half + 1));
            for (int py = sy0; py <= sy1; py++)
                for (int px = sx0; px <= sx1; px++)
                {
                    float cx = px + 0.5f, cy = py + 0.5f;
                    float t = len2 > 0 ? Math.Clamp(((cx - x0) * dx + (cy - y0) * dy) / len2, 0f, 1f) : 0f;
                    float ex = cx - (x0 + t * dx), ey = cy - (y0 + t * dy);
                    float c = Math.Clamp(half + 0.5f - MathF.Sqrt(ex * ex + ey * ey), 0f, 1f);
                    ref float slot = ref coverage[(py - by0) * bw + (px - bx0)];
                    if (c > slot) slot = c;
                }
        }
        for (int py = by0; py <= by1; py++)
            for (int px = bx0; px <= bx1; px++)
                Blend(px, py, colour, coverage[(py - by0) * bw + (px - bx0)]);
    }

    /// <summary>
    /// Draws <paramref name="text"/> in the 5x7 <see cref="PixelFont"/> with its top-left corner at (x, y), each font
    /// pixel a <paramref name="scale"/> x <paramref name="scale"/> block.
    /// </summary>
    public void DrawText(int x, int y, string text, Rgb colour, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        Guard.AtLeast(scale, 1, nameof(scale));
        for (int k = 0; k < text.Length; k++)
            for (int row = 0; row < PixelFont.GlyphHeight; row++)
                for (int col = 0; col < PixelFont.GlyphWidth; col++)
                    if (PixelFont.IsInk(text[k], col, row))
                        FillRectangle(x + (k * PixelFont.Advance + col) * scale, y + row * scale, scale, scale, colour);
    }

    /// <summary>Saves the canvas as a PNG file (atomically).</summary>
    public void SavePng(string path) => PngWriter.Save(path, Width, Height, Pixels);

    /// <summary>Encodes the canvas as PNG into <paramref name="stream"/>.</summary>
    public void WritePng(Stream stream) => PngWriter.Write(stream, Width, Height, Pixels);

    private void ForEachPixelNear(float minX, float minY, float maxX, float maxY, Func<float, float, float> coverageAtCentre, Rgb colour)
    {
        int x0 = Math.Max(0, (int)MathF.Floor(minX - 1)), y0 = Math.Max(0, (int)MathF.Floor(minY - 1));
        int x1 = Math.Min(Width - 1, (int)MathF.Ceiling(maxX + 1)), y1 = Math.Min(Height - 1, (int)MathF.Ceiling(maxY + 1));
        for (int py = y0; py <= y1; py++)
            for (int px = x0; px <= x1; px++)
                Blend(px, py, colour, Math.Clamp(coverageAtCentre(px + 0.5f, py + 0.5f), 0f, 1f));
    }
}
