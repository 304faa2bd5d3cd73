// OtherCpu: how much CPU time processes other than this one (and its waited-for children, e.g. llama-bench) took
// while a benchmark step ran — the busy jiffies of /proc/stat (user, nice, system, irq, softirq, steal) minus this
// process's own utime + stime + cutime + cstime from /proc/self/stat, in cores (CPU seconds per wall second).
// The machine is shared: a step whose figure was taken while others ran is re-run (DecodeBench).
using System.Diagnostics;

namespace SharpLM.Bench;

internal readonly record struct CpuSnapshot(long BusyTicks, long OwnTicks, long WallTicks)
{
    private const double TicksPerSecond = 100; // USER_HZ: Linux reports /proc times in 1/100 s

    public static CpuSnapshot Take()
    {
        if (!OperatingSystem.IsLinux()) return new(0, 0, Stopwatch.GetTimestamp());
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long F(int i) => i < cpu.Length ? long.Parse(cpu[i]) : 0;
        long busy = F(1) + F(2) + F(3) + F(6) + F(7) + F(8); // user nice system [idle iowait] irq softirq steal
        string stat = File.ReadAllText("/proc/self/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields after "pid (comm) ": f[0] = state (field 3)
        long own = long.Parse(f[11]) + long.Parse(f[12]) + long.Parse(f[13]) + long.Parse(f[14]); // utime stime cutime cstime
        return new(busy, own, Stopwatch.GetTimestamp());
    }

    /// <summary>Cores' worth of CPU other processes used between <paramref name="start"/> and now.</summary>
    public static double OtherCoresSince(CpuSnapshot start)
    {
        var end = Take();
        double wall = (end.WallTicks - start.WallTicks) / (double)Stopwatch.Frequency;
        double other = ((end.BusyTicks - start.BusyTicks) - (end.OwnTicks - start.OwnTicks)) / TicksPerSecond;
        return wall > 0 ? Math.Max(0, other) / wall : 0;
    }
}
