using System.Diagnostics.CodeAnalysis;

namespace Planner.Environments.Mazes;

/// <summary>The layouts that ship with Planner, by name: <c>open</c>, <c>two-rooms</c>, <c>four-rooms</c>, <c>nine-rooms</c>, <c>u-maze</c>, <c>large</c>.</summary>
public static class BuiltInLayouts
{
    /// <summary>An open 5x5 room.</summary>
    public const string Open = """
        #######
        #.....#
        #.....#
        #.....#
        #.....#
        #.....#
        #######
        """;

    /// <summary>Two 4x5 rooms joined by a one-cell door in the middle of the dividing wall.</summary>
    public const string TwoRooms = """
        ###########
        #....#....#
        #....#....#
        #.........#
        #....#....#
        #....#....#
        ###########
        """;

    /// <summary>Sutton's four rooms: four rooms joined by four one-cell doors.</summary>
    public const string FourRooms = """
        #############
        #.....#.....#
        #.....#.....#
        #...........#
        #.....#.....#
        #.....#.....#
        ##.####.....#
        #.....###.###
        #.....#.....#
        #.....#.....#
        #...........#
        #.....#.....#
        #############
        """;

    /// <summary>
    /// Nine 4x4 rooms in a 3x3 grid, joined by ten one-cell doors (so some rooms have two ways in, and some neighbours, like the centre and the left-middle room, none between them): the
    /// long-horizon test of the hierarchy, with geodesic start-goal distances up to about 25 cells.
    /// </summary>
    public const string NineRooms = """
        ################
        #....#....#....#
        #....#....#....#
        #.........#....#
        #....#....#....#
        ##.#####.####.##
        #....#....#....#
        #....#.........#
        #....#....#....#
        #....#....#....#
        ####.####.#.####
        #....#....#....#
        #.........#....#
        #....#.........#
        #....#....#....#
        ################
        """;

    /// <summary>A U-shaped corridor, two cells wide: the goal is close in straight line but far along the corridor.</summary>
    public const string UMaze = """
        ########
        #S.....#
        #......#
        ######.#
        #......#
        #G.....#
        ########
        """;

    /// <summary>A 12x12-cell maze of one-cell corridors for long-horizon tasks (start top-left, goal bottom-right).</summary>
    public const string Large = """
        ##############
        #S...#.......#
        #.##.#.#####.#
        #.#..#...#...#
        #.#.####.#.###
        #.#....#.#...#
        #.####.#.###.#
        #......#...#.#
        ###.#####.#..#
        #...#.....#.##
        #.###.#####..#
        #.#...#...##.#
        #...#...#...G#
        ##############
        """;

    private static readonly Dictionary<string, string> Texts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["open"] = Open,
        ["two-rooms"] = TwoRooms,
        ["four-rooms"] = FourRooms,
        ["nine-rooms"] = NineRooms,
        ["u-maze"] = UMaze,
        ["large"] = Large,
    };

    /// <summary>Names accepted by <see cref="Get"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["open", "two-rooms", "four-rooms", "nine-rooms", "u-maze", "large"];

    /// <summary>The built-in layout called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static MazeLayout Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGet(name, out var layout)) return layout;
        throw new ArgumentException($"Unknown built-in layout '{name}'; expected one of: {string.Join(", ", Names)} (or a layout file path).", nameof(name));
    }

    /// <summary>Looks up a built-in layout without throwing.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out MazeLayout? layout)
    {
        layout = null;
        if (name is null || !Texts.TryGetValue(name, out var text)) return false;
        layout = MazeLayout.Parse(text, name.ToLowerInvariant());
        return true;
    }
}
