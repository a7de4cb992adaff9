using Planner.Checkpoints;

namespace Planner.Torch.Training.Hierarchy;

/// <summary>
/// A trained hierarchy: the level-0 world model (encoder, shared latent space, base predictor) and the macro levels
/// 1..L-1. Saved as one directory: level 0's checkpoint in it (so <see cref="TrainedWorldModel.Load"/> reads it alone),
/// each macro level in <c>level{k}/</c>, and <c>hierarchy.json</c> last. Holds native memory: dispose it.
/// </summary>
public sealed class TrainedHierarchy : IDisposable
{
    private readonly TrainedMacroLevel[] _levels;

    /// <summary>Assembles a hierarchy; <paramref name="macroLevels"/>[i] must be level i+1, time-scales increasing, all in level 0's latent space.</summary>
    public TrainedHierarchy(TrainedWorldModel level0, IReadOnlyList<TrainedMacroLevel> macroLevels)
    {
        ArgumentNullException.ThrowIfNull(level0);
        ArgumentNullException.ThrowIfNull(macroLevels);
        _levels = [.. macroLevels];
        string fingerprint = TrainedMacroLevel.BaseFingerprint(level0);
        int previous = 1;
        for (int i = 0; i < _levels.Length; i++)
        {
            var level = _levels[i] ?? throw new ArgumentException($"macroLevels[{i}] is null.", nameof(macroLevels));
            if (level.Level != i + 1)
                throw new ArgumentException($"macroLevels[{i}] is level {level.Level}; expected level {i + 1}.", nameof(macroLevels));
            if (level.TimeScale <= previous)
                throw new ArgumentException($"level {i + 1} has time-scale {level.TimeScale}; expected more than {previous} (level {i}'s).", nameof(macroLevels));
            try
            {
                LevelCheckpoint.CheckBase(level.Metadata, level0.Metadata, fingerprint, $"macroLevels[{i}]");
            }
            catch (CheckpointException e)
            {
                throw new ArgumentException(e.Message, nameof(macroLevels), e);
            }
            previous = level.TimeScale;
        }
        Level0 = level0;
    }

    /// <summary>Level 0: encoder and base predictor.</summary>
    public TrainedWorldModel Level0 { get; }

    /// <summary>Levels 1..L-1 (index 0 is level 1).</summary>
    public IReadOnlyList<TrainedMacroLevel> MacroLevels => _levels;

    /// <summary>Number of levels L (level 0 included).</summary>
    public int Levels => _levels.Length + 1;

    /// <summary>Time-scale of every level, level 0 (1) first.</summary>
    public int[] TimeScales()
    {
        var result = new int[Levels];
        result[0] = 1;
        for (int i = 0; i < _levels.Length; i++) result[i + 1] = _levels[i].TimeScale;
        return result;
    }

    /// <summary>Writes level 0 into <paramref name="directory"/>, level k into <c>level{k}/</c>, then <c>hierarchy.json</c> (every file atomically).</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Level0.Save(directory);
        for (int i = 0; i < _levels.Length; i++)
            _levels[i].Save(Path.Combine(directory, HierarchyManifest.LevelDirectory(i + 1)));
        new HierarchyManifest { TimeScales = TimeScales() }.Save(directory);
    }

    /// <summary>
    /// Loads a directory written by <see cref="Save"/>; every level is checked against level 0 (sizes and encoder
    /// fingerprint) and the manifest. Throws <see cref="CheckpointException"/> naming the problem.
    /// </summary>
    public static TrainedHierarchy Load(string directory, Device? device = null)
    {
        var manifest = HierarchyManifest.Load(directory);
        var level0 = TrainedWorldModel.Load(directory, device);
        var levels = new List<TrainedMacroLevel>();
        try
        {
            for (int k = 1; k < manifest.Levels; k++)
            {
                string path = Path.Combine(directory, HierarchyManifest.LevelDirectory(k));
                var level = TrainedMacroLevel.Load(path, level0, device);
                levels.Add(level);
                if (level.Level != k || level.TimeScale != manifest.TimeScales[k])
                    throw new CheckpointException($"'{path}' holds level {level.Level} at time-scale {level.TimeScale}, but {HierarchyManifest.FileName} lists level {k} at time-scale {manifest.TimeScales[k]}.");
            }
            return new TrainedHierarchy(level0, levels);
        }
        catch
        {
            foreach (var l in levels) l.Dispose();
            level0.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in _levels) l.Dispose();
        Level0.Dispose();
    }
}
