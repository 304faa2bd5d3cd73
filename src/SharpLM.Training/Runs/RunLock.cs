// RunLock: out_dir/run.lock, held by the training run writing that folder — an exclusive OS lock (flock on Linux,
// released by the kernel when the process dies, even by kill -9) on a file holding the owner's pid — so two runs
// cannot race on checkpoint.tmp, and the second is told which process owns the folder.
namespace SharpLM.Training.Runs;

public sealed class RunLock : IDisposable
{
    private readonly FileStream _file;

    private RunLock(FileStream file) => _file = file;

    public const string FileName = "run.lock";

    /// <summary>Takes the lock of <paramref name="outDir"/>; throws naming the owner's pid when another process holds it.</summary>
    public static RunLock Acquire(string outDir)
    {
        string path = Path.Combine(outDir, FileName);
        FileStream f;
        try { f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            string owner = "another process";
            try { owner = $"process {File.ReadAllText(path).Trim()}"; } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new InvalidOperationException($"{outDir}: {owner} is training into this folder ({FileName}); wait for it to finish or choose another out_dir.", e);
        }
        f.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
        f.Write(pid);
        f.Flush();
        return new RunLock(f);
    }

    public void Dispose()
    {
        string path = _file.Name;
        _file.Dispose();
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
