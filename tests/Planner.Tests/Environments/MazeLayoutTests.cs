using Planner.Environments.Mazes;

namespace Planner.Tests.Environments;

public class MazeLayoutTests
{
    [TestCaseSource(typeof(BuiltInLayouts), nameof(BuiltInLayouts.Names))]
    public void BuiltInLayoutsParseAreFencedAndFullyConnected(string name)
    {
        var layout = BuiltInLayouts.Get(name);
        Assert.That(layout.Name, Is.EqualTo(name));
        Assert.That(layout.ComponentCount, Is.EqualTo(1), "every free cell should be reachable from every other");
        for (int c = 0; c < layout.Width; c++)
            Assert.That(layout.IsWall(c, 0) && layout.IsWall(c, layout.Height - 1), Is.True, $"border column {c}");
        for (int r = 0; r < layout.Height; r++)
            Assert.That(layout.IsWall(0, r) && layout.IsWall(layout.Width - 1, r), Is.True, $"border row {r}");
    }

    [Test]
    public void LargeLayoutIsAbout12x12CellsWithALongSolution()
    {
        var large = BuiltInLayouts.Get("large");
        Assert.That(large.Width - 2, Is.EqualTo(12));
        Assert.That(large.Height - 2, Is.EqualTo(12));
        Assert.That(large.GeodesicDistance(large.Start!.Value, large.Goal!.Value), Is.GreaterThanOrEqualTo(30));
    }

    [Test]
    public void ParsesWallsFreeStartAndGoalWithYDownward()
    {
        var layout = MazeLayout.Parse("\n####\n#SO#\n#.G#\n####\n\n", "tiny");
        Assert.That((layout.Width, layout.Height), Is.EqualTo((4, 4)));
        Assert.That(layout.Start, Is.EqualTo(new CellIndex(1, 1)));
        Assert.That(layout.Goal, Is.EqualTo(new CellIndex(2, 2)));
        Assert.That(layout.IsWall(0, 0), Is.True);
        Assert.That(layout.IsWall(2, 1), Is.False);
        Assert.That(layout.IsWall(-1, 1) && layout.IsWall(4, 1) && layout.IsWall(1, 99), Is.True, "outside the grid is wall");
        Assert.That(layout.FreeCells, Has.Count.EqualTo(4));
        Assert.That(layout.IsFreePoint(2.5f, 2.5f), Is.True);
        Assert.That(layout.IsFreePoint(0.5f, 2.5f), Is.False);
        Assert.That(layout.ToText(), Is.EqualTo("####\n#S.#\n#.G#\n####"));
    }

    [Test]
    public void AcceptsWindowsLineEndingsAndTrailingSpaces()
    {
        var layout = MazeLayout.Parse("###  \r\n#O#\r\n###\r\n");
        Assert.That((layout.Width, layout.Height), Is.EqualTo((3, 3)));
    }

    [Test]
    public void UnknownCharacterErrorNamesLineColumnAndCharacter()
    {
        var ex = Assert.Throws<LayoutFormatException>(() => MazeLayout.Parse("####\n#.X#\n####", "bad"))!;
        Assert.That(ex.Line, Is.EqualTo(2));
        Assert.That(ex.Column, Is.EqualTo(3));
        Assert.That(ex.Character, Is.EqualTo('X'));
        Assert.That(ex.Message, Does.Contain("line 2").And.Contain("column 3").And.Contain("'X'").And.Contain("bad"));
    }

    [Test]
    public void RaggedLineErrorNamesTheLine()
    {
        var ex = Assert.Throws<LayoutFormatException>(() => MazeLayout.Parse("####\n#..#\n#...#\n####", "rag"))!;
        Assert.That(ex.Line, Is.EqualTo(3));
        Assert.That(ex.Column, Is.EqualTo(5));
        Assert.That(ex.Character, Is.EqualTo('#'));
        Assert.That(ex.Message, Does.Contain("line 3").And.Contain("ragged"));
    }

    [Test]
    public void LineNumbersCountLeadingBlankLines()
    {
        var ex = Assert.Throws<LayoutFormatException>(() => MazeLayout.Parse("\n\n###\n#?#\n###"))!;
        Assert.That((ex.Line, ex.Column, ex.Character), Is.EqualTo((4, 2, (char?)'?')));
    }

    [Test]
    public void RejectsLayoutsWithoutFreeCellsOrEmpty()
    {
        Assert.That(() => MazeLayout.Parse("###\n###"), Throws.TypeOf<LayoutFormatException>().With.Message.Contains("no free cell"));
        Assert.That(() => MazeLayout.Parse("  \n \n"), Throws.TypeOf<LayoutFormatException>().With.Message.Contains("empty"));
    }

    [Test]
    public void RejectsUnreachableGoalNamingBothMarkers()
    {
        var ex = Assert.Throws<LayoutFormatException>(() => MazeLayout.Parse("#####\n#S#G#\n#####", "split"))!;
        Assert.That(ex.Message, Does.Contain("cannot be reached").And.Contain("line 2, column 4").And.Contain("line 2, column 2"));
        Assert.That((ex.Line, ex.Column), Is.EqualTo((2, 4)));
    }

    [Test]
    public void RejectsSecondStartMarker()
    {
        var ex = Assert.Throws<LayoutFormatException>(() => MazeLayout.Parse("#####\n#S.S#\n#####"))!;
        Assert.That((ex.Line, ex.Column, ex.Character), Is.EqualTo((2, 4, (char?)'S')));
    }

    [Test]
    public void LoadsFromFileAndNamesTheFileInErrors()
    {
        string dir = Path.Combine(Path.GetTempPath(), "planner-layout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "corridor.txt");
            File.WriteAllText(good, "#####\n#S.G#\n#####\n");
            var layout = MazeLayout.FromNameOrFile(good);
            Assert.That(layout.Name, Is.EqualTo("corridor"));
            Assert.That(layout.GeodesicDistance(layout.Start!.Value, layout.Goal!.Value), Is.EqualTo(2));

            string bad = Path.Combine(dir, "bad.txt");
            File.WriteAllText(bad, "###\n#%#\n###\n");
            Assert.That(() => MazeLayout.Load(bad), Throws.TypeOf<LayoutFormatException>().With.Message.Contains(bad).And.Message.Contains("'%'"));
            Assert.That(() => MazeLayout.Load(Path.Combine(dir, "missing.txt")), Throws.TypeOf<FileNotFoundException>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void UnknownBuiltInNameListsTheKnownOnes()
    {
        Assert.That(() => BuiltInLayouts.Get("nope"), Throws.ArgumentException.With.Message.Contains("four-rooms"));
    }

    [Test]
    public void GeodesicDistancesOnTwoRoomsGoThroughTheDoor()
    {
        var layout = BuiltInLayouts.Get("two-rooms");
        // Door at (5, 3): (1,1) -> (4,3) is 5 moves, through the door to (6,3) is 2 more, then to (9,1) is 5.
        Assert.That(layout.GeodesicDistance(new(1, 1), new(9, 1)), Is.EqualTo(12));
        Assert.That(layout.GeodesicDistance(new(1, 1), new(1, 1)), Is.EqualTo(0));
        Assert.That(layout.GeodesicDistance(new(4, 3), new(6, 3)), Is.EqualTo(2));
        Assert.That(layout.GeodesicDistance(new(1, 1), new(5, 1)), Is.EqualTo(-1), "wall cell");
        Assert.That(layout.GeodesicDistance(new(9, 5), new(1, 5)), Is.EqualTo(12));
    }

    [Test]
    public void GeodesicDistanceAroundTheUMaze()
    {
        var layout = BuiltInLayouts.Get("u-maze");
        Assert.That(layout.GeodesicDistance(layout.Start!.Value, layout.Goal!.Value), Is.EqualTo(14));
    }

    [Test]
    public void DisconnectedRoomsAreUnreachable()
    {
        var layout = MazeLayout.Parse("#######\n#..#..#\n#######");
        Assert.That(layout.ComponentCount, Is.EqualTo(2));
        Assert.That(layout.GeodesicDistance(new(1, 1), new(5, 1)), Is.EqualTo(-1));
        var field = new int[layout.Width * layout.Height];
        layout.DistancesFrom(new(1, 1), field);
        Assert.That(field[1 * 7 + 2], Is.EqualTo(1));
        Assert.That(field[1 * 7 + 4], Is.EqualTo(-1));
    }

    [Test]
    public void DistanceFieldAgreesWithTableOnEveryPair()
    {
        var layout = BuiltInLayouts.Get("four-rooms");
        var field = new int[layout.Width * layout.Height];
        foreach (var a in layout.FreeCells)
        {
            layout.DistancesFrom(a, field);
            foreach (var b in layout.FreeCells)
            {
                int d = field[b.Row * layout.Width + b.Column];
                Assert.That(layout.GeodesicDistance(a, b), Is.EqualTo(d));
                Assert.That(d, Is.GreaterThanOrEqualTo(Math.Abs(a.Column - b.Column) + Math.Abs(a.Row - b.Row)), "never shorter than Manhattan");
            }
        }
    }

    [Test]
    public void LargeLayoutsWithoutAnAllPairsTableGiveTheSameDistances()
    {
        // 40 x 40 = 1600 cells: above the all-pairs threshold, so distances come from per-source BFS fields.
        var rows = new List<string>();
        for (int r = 0; r < 40; r++)
        {
            var row = new char[40];
            for (int c = 0; c < 40; c++)
                row[c] = r == 0 || c == 0 || r == 39 || c == 39 || (c % 4 == 2 && r != (c % 8 == 2 ? 1 : 38)) ? '#' : '.';
            rows.Add(new string(row));
        }
        var layout = MazeLayout.Parse(string.Join("\n", rows), "serpentine");
        Assert.That(layout.ComponentCount, Is.EqualTo(1));
        // Serpentine: walls every 4 columns with gaps alternately at the top and bottom.
        int d = layout.GeodesicDistance(new CellIndex(1, 38), new CellIndex(37, 38));
        Assert.That(d, Is.GreaterThan(9 * 36));
        Assert.That(layout.GeodesicDistance(new CellIndex(37, 38), new CellIndex(1, 38)), Is.EqualTo(d));
        var field = new int[1600];
        layout.DistancesFrom(new CellIndex(1, 38), field);
        Assert.That(field[38 * 40 + 37], Is.EqualTo(d));
    }
}
