namespace Planner.Environments.Mazes;

/// <summary>
/// Cell-to-cell BFS distances. Small layouts get an all-pairs table built once; large ones cache the distance field of
/// the most recent source (typical use asks many targets for one source).
/// </summary>
internal sealed class GeodesicTable
{
    private const int MaxCellsForAllPairs = 1024;   // table of cells^2 ints: at most 4 MB
    private readonly MazeLayout _layout;
    private readonly int[]? _allPairs;   // [cells x cells]
    private readonly object _lock = new();
    private int[]? _lastField;
    private int _lastSource = -1;

    public GeodesicTable(MazeLayout layout)
    {
        _layout = layout;
        int cells = layout.Width * layout.Height;
        if (cells > MaxCellsForAllPairs) return;
        _allPairs = new int[cells * cells];
        Array.Fill(_allPairs, -1);
        foreach (var cell in layout.FreeCells)
            Connectivity.Bfs(layout, cell, _allPairs.AsSpan((cell.Row * layout.Width + cell.Column) * cells, cells));
    }

    public int Distance(CellIndex from, CellIndex to)
    {
        int cells = _layout.Width * _layout.Height;
        int s = from.Row * _layout.Width + from.Column, t = to.Row * _layout.Width + to.Column;
        if (_allPairs is not null) return _allPairs[s * cells + t];
        lock (_lock)
        {
            if (_lastSource != s)
            {
                _lastField ??= new int[cells];
                Connectivity.Bfs(_layout, from, _lastField);
                _lastSource = s;
            }
            return _lastField![t];
        }
    }
}
