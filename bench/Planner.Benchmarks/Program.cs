using BenchmarkDotNet.Running;
using Planner.Benchmarks;

// `compare` runs the quick managed-vs-Torch comparison (plain Stopwatch, prints ratios and efficiency);
// anything else goes to BenchmarkDotNet (e.g. --filter '*Gemm*', --list flat).
if (args.Length > 0 && args[0] == "micro") return Micro.Run(Console.Out);
if (args.Length > 0 && args[0] == "compare") return Compare.Run(args[1..], Console.Out);
BenchmarkSwitcher.FromAssembly(typeof(Compare).Assembly).Run(args);
return 0;
