using Planner.Data;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>A progress report of <see cref="HierarchyTrainer"/>: which level is training and how far it is.</summary>
/// <param name="Level">Level being trained (0: the JEPA world model).</param>
/// <param name="Levels">Levels in the stack.</param>
/// <param name="Progress">That level's training progress.</param>
public sealed record LevelProgress(int Level, int Levels, TrainingProgress Progress);

/// <summary>
/// Trains a whole hierarchy from one reward-free dataset: level 0 with <see cref="JepaTrainer"/> (encoder and base
/// predictor), then levels 1..L-1 with <see cref="MacroActionTrainer"/> over the frozen level-0 latent space.
/// </summary>
public static class HierarchyTrainer
{
    /// <summary>
    /// Trains <paramref name="levels"/> levels on <paramref name="data"/>. With a <paramref name="directory"/>, saves
    /// the result there (see <see cref="TrainedHierarchy.Save"/>), level 0 as soon as it is trained.
    /// </summary>
    public static TrainedHierarchy Train(TrajectoryDataset data, int levels, HierarchyTrainingOptions? options = null,
        IProgress<LevelProgress>? progress = null, string? directory = null, CancellationToken cancellationToken = default)
    {
        Guard.AtLeast(levels, 1, nameof(levels));
        options ??= new HierarchyTrainingOptions();
        int[] timeScales = CheckedTimeScales(data, levels, options);

        var level0 = JepaTrainer.Train(data, options.Level0, Forward(progress, 0, levels), cancellationToken);
        return Stack(level0, data, levels, options, timeScales, progress, directory, cancellationToken);
    }

    /// <summary>
    /// Trains levels 1..L-1 over an already trained level-0 model (not retrained; the returned hierarchy owns it and
    /// disposes it): for trying other macro-level settings without relearning the latent space.
    /// </summary>
    public static TrainedHierarchy TrainUpperLevels(TrainedWorldModel level0, TrajectoryDataset data, int levels, HierarchyTrainingOptions? options = null,
        IProgress<LevelProgress>? progress = null, string? directory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(level0);
        Guard.AtLeast(levels, 2, nameof(levels));
        options ??= new HierarchyTrainingOptions();
        int[] timeScales = CheckedTimeScales(data, levels, options);
        return Stack(level0, data, levels, options, timeScales, progress, directory, cancellationToken);
    }

    /// <summary>Validates the options and that the episodes are long enough for the top level's time-scale.</summary>
    private static int[] CheckedTimeScales(TrajectoryDataset data, int levels, HierarchyTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        int[] timeScales = options.TimeScalesFor(levels);
        if (levels > 1 && data.Steps < timeScales[^1])
            throw new ArgumentException($"episodes have T={data.Steps} steps; level {levels - 1}'s time-scale {timeScales[^1]} needs at least that many (collect longer episodes, or set TimeScales).", nameof(data));
        return timeScales;
    }

    private static TrainedHierarchy Stack(TrainedWorldModel level0, TrajectoryDataset data, int levels, HierarchyTrainingOptions options, int[] timeScales,
        IProgress<LevelProgress>? progress, string? directory, CancellationToken cancellationToken)
    {
        var trained = new List<TrainedMacroLevel>();
        try
        {
            if (directory is not null) level0.Save(directory);
            for (int k = 1; k < levels; k++)
            {
                var levelOptions = options.Macro with { Level = k, TimeScale = timeScales[k], Seed = options.Macro.Seed + 101 * (k - 1) };
                trained.Add(MacroActionTrainer.Train(level0, data, levelOptions, Forward(progress, k, levels), cancellationToken));
            }
            var hierarchy = new TrainedHierarchy(level0, trained);
            if (directory is not null) hierarchy.Save(directory);
            return hierarchy;
        }
        catch
        {
            foreach (var l in trained) l.Dispose();
            level0.Dispose();
            throw;
        }
    }

    private static Progress? Forward(IProgress<LevelProgress>? target, int level, int levels) => target is null ? null : new Progress(target, level, levels);

    private sealed class Progress(IProgress<LevelProgress> target, int level, int levels) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => target.Report(new LevelProgress(level, levels, value));
    }
}
