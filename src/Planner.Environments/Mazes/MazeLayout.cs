namespace Planner.Environments.Mazes;

/// <summary>
/// An immutable maze grid parsed from ASCII text: <c>#</c> wall, <c>O</c> or <c>.</c> free, optional <c>S</c> start and
/// <c>G</c> goal (both free; lower-case o, s, g are accepted too). Cells are 1 world unit wide; cell (column c, row r) covers x in [c, c+1) and y in [r, r+1),
/// with row 0 the first text line, so y grows downward as in the text and in images. Everything outside the grid is wall.
/// </summary>
public sealed class MazeLayout
{
    private readonly bool[] _wall;              // [Height x Width], row-major
    private readonly int[] _component;          // connected-component id per cell, -1 for walls
    private readonly CellIndex[] _freeCells;
    private GeodesicTable? _geodesic;

    private MazeLayout(string name, int width, int height, bool[] wall, CellIndex? start, CellIndex? goal)
    {
        Name = name;
        Width = width;
        Height = height;
        _wall = wall;
        Start = start;
        Goal = goal;
        var free = new List<CellIndex>();
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
                if (!wall[r * width + c]) free.Add(new CellIndex(c, r));
        _freeCells = [.. free];
        _component = Connectivity.LabelComponents(this, out int count);
        ComponentCount = count;
    }

    /// <summary>Layout name (a built-in name, a file name, or the name given to <see cref="Parse"/>).</summary>
    public string Name { get; }

    /// <summary>Columns (world width in units).</summary>
    public int Width { get; }

    /// <summary>Rows (world height in units).</summary>
    public int Height { get; }

    /// <summary>The <c>S</c> cell, if the text marks one.</summary>
    public CellIndex? Start { get; }

    /// <summary>The <c>G</c> cell, if the text marks one.</summary>
    public CellIndex? Goal { get; }

    /// <summary>All free cells in row-major order.</summary>
    public IReadOnlyList<CellIndex> FreeCells => _freeCells;

    /// <summary>Number of 4-connected components of free cells.</summary>
    public int ComponentCount { get; }

    /// <summary>True for wall cells and for every cell outside the grid.</summary>
    public bool IsWall(int column, int row) =>
        (uint)column >= (uint)Width || (uint)row >= (uint)Height || _wall[row * Width + column];

    /// <summary>True for free cells inside the grid.</summary>
    public bool IsFree(CellIndex cell) => !IsWall(cell.Column, cell.Row);

    /// <summary>True when the world point lies in a free cell.</summary>
    public bool IsFreePoint(float x, float y) => float.IsFinite(x) && float.IsFinite(y) && IsFree(CellIndex.Containing(x, y));

    /// <summary>Component id of a free cell (cells with equal ids are mutually reachable), or -1 for walls/outside.</summary>
    public int ComponentOf(CellIndex cell) => IsFree(cell) ? _component[cell.Row * Width + cell.Column] : -1;

    /// <summary>
    /// Shortest path length in cell moves (4-connected, BFS on the grid) between two cells, or -1 when either is a wall
    /// or they are not connected. The first call builds an all-pairs table (small layouts) so later calls are O(1).
    /// </summary>
    public int GeodesicDistance(CellIndex from, CellIndex to)
    {
        if (!IsFree(from) || !IsFree(to)) return -1;
        if (_component[from.Row * Width + from.Column] != _component[to.Row * Width + to.Column]) return -1;
        _geodesic ??= new GeodesicTable(this);
        return _geodesic.Distance(from, to);
    }

    /// <summary>
    /// Fills <paramref name="distances"/> (<c>[Height x Width]</c>, row-major) with the BFS cell distance from
    /// <paramref name="source"/>; -1 for walls and unreachable cells.
    /// </summary>
    public void DistancesFrom(CellIndex source, Span<int> distances)
    {
        Guard.Length(distances.Length, Width * Height, nameof(distances), $"[Height={Height} x Width={Width}]");
        if (!IsFree(source))
            throw new ArgumentException($"source {source} is not a free cell of layout '{Name}'.", nameof(source));
        Connectivity.Bfs(this, source, distances);
    }

    /// <summary>The layout as canonical text (<c>#</c>, <c>.</c>, <c>S</c>, <c>G</c>; lines joined by '\n').</summary>
    public string ToText()
    {
        var sb = new System.Text.StringBuilder((Width + 1) * Height);
        for (int r = 0; r < Height; r++)
        {
            for (int c = 0; c < Width; c++)
            {
                var cell = new CellIndex(c, r);
                sb.Append(_wall[r * Width + c] ? '#' : cell == Start ? 'S' : cell == Goal ? 'G' : '.');
            }
            if (r + 1 < Height) sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Width}x{Height}, {_freeCells.Length} free cells)";

    /// <summary>Loads a layout file; the layout is named after the file (without extension).</summary>
    /// <exception cref="LayoutFormatException">The text is not a valid layout; the message names the file.</exception>
    public static MazeLayout Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Maze layout file '{path}' does not exist.", path);
        return Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), sourceDescription: $"file '{path}'");
    }

    /// <summary>A built-in layout by name (see <see cref="BuiltInLayouts.Names"/>), or a layout file path.</summary>
    public static MazeLayout FromNameOrFile(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        return BuiltInLayouts.TryGet(nameOrPath, out var layout) ? layout : Load(nameOrPath);
    }

    /// <summary>
    /// Parses layout text. Leading and trailing blank lines and trailing whitespace on each line are ignored; line
    /// numbers in errors refer to the text as given (1-based).
    /// </summary>
    /// <exception cref="LayoutFormatException">Unknown character, ragged lines, several S or G, no free cell, or an
    /// S and G that are not connected.</exception>
    public static MazeLayout Parse(string text, string name = "custom", string? sourceDescription = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string where = sourceDescription ?? $"layout '{name}'";
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        int first = 0, last = lines.Length - 1;
        while (first <= last && lines[first].Trim().Length == 0) first++;
        while (last >= first && lines[last].Trim().Length == 0) last--;
        if (first > last) throw new LayoutFormatException($"{where} is empty; expected a grid of '#', '.', 'O', 'S', 'G'.");

        int width = lines[first].TrimEnd().Length;
        int height = last - first + 1;
        var wall = new bool[width * height];
        CellIndex? start = null, goal = null;
        for (int r = 0; r < height; r++)
        {
            string line = lines[first + r].TrimEnd();
            int lineNo = first + r + 1;
            if (line.Length != width)
            {
                int col = Math.Min(line.Length, width) + 1;
                char? ch = line.Length > width ? line[width] : null;
                throw new LayoutFormatException(
                    $"{where}, line {lineNo}, column {col}: ragged grid, this line has {line.Length} columns but line {first + 1} has {width}; every line must have the same width.",
                    lineNo, col, ch);
            }
            for (int c = 0; c < width; c++)
            {
                char ch = line[c];
                switch (ch)
                {
                    case '#': wall[r * width + c] = true; break;
                    case '.' or 'O' or 'o': break;
                    case 'S' or 's':
                        if (start is not null) throw Duplicate(where, 'S', lineNo, c + 1, ch);
                        start = new CellIndex(c, r);
                        break;
                    case 'G' or 'g':
                        if (goal is not null) throw Duplicate(where, 'G', lineNo, c + 1, ch);
                        goal = new CellIndex(c, r);
                        break;
                    default:
                        throw new LayoutFormatException(
                            $"{where}, line {lineNo}, column {c + 1}: unknown character '{Printable(ch)}'; expected '#' (wall), '.' or 'O' (free), 'S' (start) or 'G' (goal).",
                            lineNo, c + 1, ch);
                }
            }
        }

        var layout = new MazeLayout(name, width, height, wall, start, goal);
        if (layout._freeCells.Length == 0)
            throw new LayoutFormatException($"{where} has no free cell; expected at least one '.', 'O', 'S' or 'G'.");
        if (start is CellIndex s && goal is CellIndex g && layout.ComponentOf(s) != layout.ComponentOf(g))
            throw new LayoutFormatException(
                $"{where}: the goal 'G' at line {first + g.Row + 1}, column {g.Column + 1} cannot be reached from the start 'S' at line {first + s.Row + 1}, column {s.Column + 1} (walls separate them).",
                first + g.Row + 1, g.Column + 1, 'G');
        return layout;
    }

    private static LayoutFormatException Duplicate(string where, char marker, int line, int column, char ch) =>
        new($"{where}, line {line}, column {column}: a second '{marker}' marker; a layout has at most one.", line, column, ch);

    private static string Printable(char ch) => char.IsControl(ch) || char.IsWhiteSpace(ch) ? $"\\u{(int)ch:X4}" : ch.ToString();
}
