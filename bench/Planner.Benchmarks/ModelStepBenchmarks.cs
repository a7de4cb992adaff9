using BenchmarkDotNet.Attributes;
using Planner.Managed;
using Planner.Models;

namespace Planner.Benchmarks;

/// <summary>The managed world model's single steps (forward with tape, and the input-gradient step) on a block of rows, and the encoder.</summary>
[MemoryDiagnoser]
public class ModelStepBenchmarks
{
    private ResidualMlp _model = null!;
    private MlpEncoder _encoder = null!;
    private float[] _states = [], _actions = [], _next = [], _tape = [], _grad = [], _gradStates = [], _gradActions = [], _scratch = [], _latents = [];

    /// <summary>Rows per step.</summary>
    [Params(1, 32)]
    public int Rows;

    [GlobalSetup]
    public void Setup()
    {
        var problem = new SyntheticProblem(batch: Rows, seed: 1);
        _model = problem.CreateDynamics();
        _encoder = new MlpEncoder(MlpWeights.Random([32, 256, 256, 32], Activation.Relu, 3));
        _states = (float[])problem.InitialStates.Clone();
        _actions = new float[Rows * 4];
        _next = new float[Rows * 32];
        _tape = new float[Rows * _model.TapeFloatsPerRow];
        _grad = (float[])problem.InitialStates.Clone();
        _gradStates = new float[Rows * 32];
        _gradActions = new float[Rows * 4];
        _scratch = new float[Rows * _model.ScratchFloatsPerRow];
        _latents = new float[Rows * 32];
        _model.Forward(_states, _actions, _next, _tape, Rows);
    }

    /// <summary>Forward step writing the tape.</summary>
    [Benchmark]
    public void Forward() => _model.Forward(_states, _actions, _next, _tape, Rows);

    /// <summary>Input-gradient step from the tape.</summary>
    [Benchmark]
    public void Backward() => _model.Backward(_tape, _grad, _gradStates, _gradActions, _scratch, Rows);

    /// <summary>Encoding of the same number of observations.</summary>
    [Benchmark]
    public void Encode() => _encoder.Encode(_states, _latents, Rows);
}
