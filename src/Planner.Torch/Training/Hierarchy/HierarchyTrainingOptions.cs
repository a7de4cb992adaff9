namespace Planner.Torch.Training.Hierarchy;

/// <summary>Options of <see cref="HierarchyTrainer"/>: the level-0 JEPA options and a template for the macro levels.</summary>
public sealed record HierarchyTrainingOptions
{
    /// <summary>Options of level 0 (encoder + base predictor).</summary>
    public JepaOptions Level0 { get; init; } = new();

    /// <summary>Template for every macro level; <see cref="MacroLevelOptions.Level"/> and <see cref="MacroLevelOptions.TimeScale"/> are set per level.</summary>
    public MacroLevelOptions Macro { get; init; } = new();

    /// <summary>
    /// Time-scales of levels 1..L-1 (strictly increasing, each &gt; 1); null: tau_1 = <see cref="FirstTimeScale"/>,
    /// then each level <see cref="TimeScaleRatio"/> times coarser (8, 32, 128...).
    /// </summary>
    public int[]? TimeScales { get; init; }

    /// <summary>tau_1 when <see cref="TimeScales"/> is null.</summary>
    public int FirstTimeScale { get; init; } = 8;

    /// <summary>tau_k / tau_{k-1} when <see cref="TimeScales"/> is null.</summary>
    public int TimeScaleRatio { get; init; } = 4;

    /// <summary>The time-scale of every level of an <paramref name="levels"/>-level stack, level 0 (1) first.</summary>
    public int[] TimeScalesFor(int levels)
    {
        Guard.AtLeast(levels, 1, nameof(levels));
        var result = new int[levels];
        result[0] = 1;
        if (TimeScales is not null)
        {
            if (TimeScales.Length != levels - 1)
                throw new ArgumentException($"TimeScales has {TimeScales.Length} entries; a {levels}-level stack needs {levels - 1} (levels 1..{levels - 1}).", nameof(levels));
            for (int k = 1; k < levels; k++)
            {
                result[k] = TimeScales[k - 1];
                if (result[k] <= result[k - 1])
                    throw new ArgumentException($"TimeScales[{k - 1}] = {result[k]} must be greater than level {k - 1}'s time-scale {result[k - 1]}.", nameof(levels));
            }
            return result;
        }
        for (int k = 1; k < levels; k++) result[k] = k == 1 ? FirstTimeScale : result[k - 1] * TimeScaleRatio;
        return result;
    }

    /// <summary>Throws unless every option is in range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Level0, nameof(Level0));
        ArgumentNullException.ThrowIfNull(Macro, nameof(Macro));
        Level0.Validate();
        Macro.Validate();
        Guard.AtLeast(FirstTimeScale, 2, nameof(FirstTimeScale));
        Guard.AtLeast(TimeScaleRatio, 2, nameof(TimeScaleRatio));
    }
}
