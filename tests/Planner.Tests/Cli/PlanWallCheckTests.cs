using Planner.Cli.Evaluation;
using Planner.Environments.Mazes;
using Planner.Torch.Training;

namespace Planner.Tests.Cli;

/// <summary>The wall check of imagined plans: steps through a wall, around it, and off the free cells.</summary>
public class PlanWallCheckTests
{
    // Two rooms: the wall is column 5, its door at row 3.
    private static readonly MazeLayout TwoRooms = MazeLayout.FromNameOrFile("two-rooms");

    /// <summary>A probe that decodes a 2-d latent as the position itself.</summary>
    private static LinearProbe Identity()
    {
        float[] points = [0.5f, 0.5f, 3, 1, 1, 4, 7, 2, 9, 5, 4.5f, 2.5f];
        return LinearProbe.Fit(points, 2, points, 2);
    }

    private static WallCheckRow Score(float[][] paths, float[] starts, int subgoalStep = 2, int bound = 5)
    {
        int h = paths[0].Length / 2;
        var predicted = new float[paths.Length * h * 2];
        for (int i = 0; i < paths.Length; i++) paths[i].CopyTo(predicted, i * h * 2);
        return PlanWallCheck.Score("test", predicted, starts, Identity(), TwoRooms, paths.Length, h, 2, subgoalStep, bound);
    }

    [Test]
    public void AStepAcrossTheWallIsCountedAndOneThroughTheDoorIsNot()
    {
        var row = Score(
            [
                [6.5f, 1.5f, 7.5f, 1.5f, 8.5f, 1.5f],   // left room to right room straight through the wall: 6 cells apart by the door
                [5.5f, 3.5f, 6.5f, 2.5f, 7.5f, 1.5f],   // through the door: every step 1-2 cells
            ],
            [4.5f, 1.5f, 4.5f, 2.5f]);
        Assert.That(row.BeforeSubgoal, Is.EqualTo(0.5));
        Assert.That(row.Anywhere, Is.EqualTo(0.5));
        Assert.That(row.OffFreeCells, Is.Zero);
    }

    [Test]
    public void AWallAfterTheSubgoalStepCountsOnlyAnywhere()
    {
        var row = Score([[3.5f, 1.5f, 2.5f, 1.5f, 7.5f, 1.5f]], [4.5f, 1.5f], subgoalStep: 2);
        Assert.That(row.BeforeSubgoal, Is.Zero);
        Assert.That(row.Anywhere, Is.EqualTo(1));
    }

    [Test]
    public void LatentsDecodedInAWallAreOffTheFreeCellsAndTheNextStepIsComparedWithTheLastFreeOne()
    {
        // (5.5, 1.5) is the wall itself; the step after it lands in the right room, 6 cells from the last free cell.
        var row = Score([[5.5f, 1.5f, 6.5f, 1.5f]], [4.5f, 1.5f]);
        Assert.That(row.OffFreeCells, Is.EqualTo(0.5));
        Assert.That(row.Anywhere, Is.EqualTo(1));
        // A larger bound (a faster robot, a longer step) allows the same jump.
        Assert.That(Score([[5.5f, 1.5f, 6.5f, 1.5f]], [4.5f, 1.5f], bound: 6).Anywhere, Is.Zero);
    }

    [Test]
    public void AStepBeyondReachInAStraightLineIsAJumpNotAWall()
    {
        // (1,1) to (8,4): 10 cells apart in a straight line, beyond any reach of 5: a teleport, whatever the walls.
        var row = Score([[8.5f, 4.5f, 8.5f, 3.5f]], [1.5f, 1.5f]);
        Assert.That(row.Anywhere, Is.Zero);
        Assert.That(row.Jumps, Is.EqualTo(0.5));
    }
}
