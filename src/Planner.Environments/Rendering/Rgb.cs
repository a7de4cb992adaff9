namespace Planner.Environments.Rendering;

/// <summary>An 8-bit RGB colour.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>White.</summary>
    public static Rgb White => new(255, 255, 255);

    /// <summary>Black.</summary>
    public static Rgb Black => new(0, 0, 0);

    /// <summary>Wall grey.</summary>
    public static Rgb Wall => new(64, 64, 72);

    /// <summary>Start marker green.</summary>
    public static Rgb StartGreen => new(30, 160, 60);

    /// <summary>Goal marker red.</summary>
    public static Rgb GoalRed => new(210, 40, 40);

    /// <summary>Subgoal marker orange.</summary>
    public static Rgb SubgoalOrange => new(245, 150, 20);

    /// <summary>Ten colours that tell trajectories apart (Tableau 10, without its red and green, which mark goal and start).</summary>
    public static IReadOnlyList<Rgb> Palette { get; } =
    [
        new(31, 119, 180), new(148, 103, 189), new(23, 190, 207), new(255, 127, 14), new(140, 86, 75),
        new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(57, 59, 121), new(99, 121, 57),
    ];

    /// <summary>Palette colour <paramref name="index"/> (wrapping around).</summary>
    public static Rgb FromPalette(int index) => Palette[((index % Palette.Count) + Palette.Count) % Palette.Count];

    /// <summary>Linear blend: <paramref name="t"/> = 0 gives <paramref name="a"/>, 1 gives <paramref name="b"/>.</summary>
    public static Rgb Lerp(Rgb a, Rgb b, float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return new((byte)(a.R + (b.R - a.R) * t + 0.5f), (byte)(a.G + (b.G - a.G) * t + 0.5f), (byte)(a.B + (b.B - a.B) * t + 0.5f));
    }
}
