using Planner.Environments.Mazes;
using Planner.Environments.Observation;
using Planner.Environments.Physics;
using Planner.Environments.Tasks;

namespace Planner.Environments;

/// <summary>
/// One stateful point-mass maze episode, for evaluation loops: <see cref="Reset(MazeTask)"/>, then
/// <see cref="Step"/> and <see cref="Observe"/>. For many environments at once use
/// <see cref="PointMassMaze.Step(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> directly. Not thread-safe.
/// </summary>
public sealed class MazeEnvironment
{
    private readonly float[] _state = new float[PointMassMaze.StateDim];

    /// <summary>Creates an environment; <paramref name="observation"/> fixes what <see cref="Observe"/> returns.</summary>
    public MazeEnvironment(MazeLayout layout, PointMassOptions? physics = null, ObservationKind observation = ObservationKind.State, int imageSize = 64)
    {
        Dynamics = new PointMassMaze(layout, physics);
        Observer = new MazeObserver(Dynamics, observation, imageSize);
        var (x, y) = layout.FreeCells[0].Center;
        Dynamics.WriteRestingState(x, y, _state);
    }

    /// <summary>The stateless dynamics.</summary>
    public PointMassMaze Dynamics { get; }

    /// <summary>The observation function.</summary>
    public MazeObserver Observer { get; }

    /// <summary>The current task (default until <see cref="Reset(MazeTask)"/>).</summary>
    public MazeTask Task { get; private set; }

    /// <summary>Steps taken since the last reset.</summary>
    public int StepCount { get; private set; }

    /// <summary>Current state <c>[x, y, vx, vy]</c> in world units.</summary>
    public ReadOnlySpan<float> State => _state;

    /// <summary>Current position.</summary>
    public (float X, float Y) Position => (_state[0], _state[1]);

    /// <summary>True when the current position is within <paramref name="radius"/> of the task's goal.</summary>
    public bool IsSuccess(float radius = MazeTask.DefaultSuccessRadius) => Task.IsSuccess(_state[0], _state[1], radius);

    /// <summary>Starts the task at rest at its start position.</summary>
    public void Reset(MazeTask task)
    {
        Dynamics.WriteRestingState(task.StartX, task.StartY, _state);
        Task = task;
        StepCount = 0;
    }

    /// <summary>Applies one action <c>[ax, ay]</c> (clamped to [-1, 1], NaN as 0).</summary>
    public void Step(ReadOnlySpan<float> action)
    {
        Dynamics.Step(_state, action, _state);
        StepCount++;
    }

    /// <summary>Writes the current observation (<c>Observer.Dim</c> floats).</summary>
    public void Observe(Span<float> observation) => Observer.Observe(_state, observation);

    /// <summary>Writes the observation an agent would see at rest at the task's goal (the goal image or goal state).</summary>
    public void ObserveGoal(Span<float> observation)
    {
        Span<float> goal = stackalloc float[PointMassMaze.StateDim];
        goal[0] = Task.GoalX; goal[1] = Task.GoalY; goal[2] = 0; goal[3] = 0;
        Observer.Observe(goal, observation);
    }
}
