namespace Planner.Environments.Mazes;

/// <summary>Breadth-first search and component labelling over the 4-connected free cells of a layout.</summary>
internal static class Connectivity
{
    private static readonly (int Dc, int Dr)[] Neighbours = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    /// <summary>Labels each free cell with its component id (walls -1).</summary>
    public static int[] LabelComponents(MazeLayout layout, out int count)
    {
        int w = layout.Width, h = layout.Height;
        var label = new int[w * h];
        Array.Fill(label, -1);
        var queue = new Queue<int>();
        count = 0;
        for (int i = 0; i < label.Length; i++)
        {
            if (label[i] >= 0 || layout.IsWall(i % w, i / w)) continue;
            label[i] = count;
            queue.Enqueue(i);
            while (queue.Count > 0)
            {
                int cur = queue.Dequeue();
                int c = cur % w, r = cur / w;
                foreach (var (dc, dr) in Neighbours)
                {
                    int nc = c + dc, nr = r + dr;
                    if (layout.IsWall(nc, nr)) continue;
                    int n = nr * w + nc;
                    if (label[n] >= 0) continue;
                    label[n] = count;
                    queue.Enqueue(n);
                }
            }
            count++;
        }
        return label;
    }

    /// <summary>BFS cell distances from <paramref name="source"/> into <paramref name="distances"/> (-1 unreachable).</summary>
    public static void Bfs(MazeLayout layout, CellIndex source, Span<int> distances)
    {
        int w = layout.Width;
        distances.Fill(-1);
        var queue = new Queue<int>();
        int s = source.Row * w + source.Column;
        distances[s] = 0;
        queue.Enqueue(s);
        while (queue.Count > 0)
        {
            int cur = queue.Dequeue();
            int c = cur % w, r = cur / w;
            foreach (var (dc, dr) in Neighbours)
            {
                int nc = c + dc, nr = r + dr;
                if (layout.IsWall(nc, nr)) continue;
                int n = nr * w + nc;
                if (distances[n] >= 0) continue;
                distances[n] = distances[cur] + 1;
                queue.Enqueue(n);
            }
        }
    }
}
