// RunStore: a SQLite file beside a run's outputs holding runs (name, config, status, times) and their step
// metrics (train loss, lr, grad norm, tokens/s, eval loss …) as (run, step, key, value) rows, so any tool
// that reads SQLite can query a run, and `sharplm runs list|show|plot` can draw it.
using Microsoft.Data.Sqlite;

namespace SharpLM.Training.Runs;

/// <summary>One row of the runs table.</summary>
public sealed record RunInfo(long Id, string Name, string Status, string StartedUtc, string? EndedUtc, string ConfigJson);

/// <summary>A SQLite store of runs and their metrics.</summary>
public sealed class RunStore : IDisposable
{
    private readonly SqliteConnection _db;

    public string Path { get; }

    public RunStore(string path)
    {
        Path = path;
        RequireSqlite(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        try
        {
            _db.Open();
            CreateTables();
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new InvalidDataException($"{path}: not a usable run store ({e.Message.TrimEnd('.')}); expected the runs.sqlite a training run writes.", e);
        }
    }

    /// <summary>An existing file must start with SQLite's header ("SQLite format 3\0"); anything else is refused before SQLite touches it.</summary>
    private static void RequireSqlite(string path)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected a runs.sqlite file.");
        if (!File.Exists(path) || new FileInfo(path).Length == 0) return;
        Span<byte> head = stackalloc byte[16];
        using (var f = File.OpenRead(path))
            if (f.ReadAtLeast(head, 16, throwOnEndOfStream: false) == 16 && head.SequenceEqual("SQLite format 3\0"u8)) return;
        throw new InvalidDataException($"{path}: not a SQLite file; expected the runs.sqlite a training run writes.");
    }

    private void CreateTables()
    {
        Exec("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, status TEXT NOT NULL,
                started_utc TEXT NOT NULL, ended_utc TEXT, config_json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS metrics (run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL,
                key TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (run_id, step, key));
            """);
        // The process that writes a running run (stores from before this column get it added).
        using var info = _db.CreateCommand();
        info.CommandText = "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'pid'";
        if ((long)info.ExecuteScalar()! == 0) Exec("ALTER TABLE runs ADD COLUMN pid INTEGER");
    }

    private void Exec(string sql, params (string, object?)[] args)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Starts a run and returns its id.</summary>
    public long StartRun(string name, string configJson)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT INTO runs (name, status, started_utc, config_json, pid) VALUES ($n, 'running', $t, $c, $p); SELECT last_insert_rowid();";
        cmd.Parameters.AddWithValue("$p", Environment.ProcessId);
        cmd.Parameters.AddWithValue("$n", name);
        cmd.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O"));
        cmd.Parameters.AddWithValue("$c", configJson);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Records metrics of one step (replacing values logged again for the same step, e.g. after a resume).</summary>
    public void Log(long runId, long step, IReadOnlyDictionary<string, double> values)
    {
        using var tx = _db.BeginTransaction();
        foreach (var (k, v) in values)
        {
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO metrics (run_id, step, key, value) VALUES ($r, $s, $k, $v)";
            cmd.Parameters.AddWithValue("$r", runId); cmd.Parameters.AddWithValue("$s", step);
            cmd.Parameters.AddWithValue("$k", k); cmd.Parameters.AddWithValue("$v", v);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>Marks a run finished (or failed/cancelled).</summary>
    public void EndRun(long runId, string status) =>
        Exec("UPDATE runs SET status = $s, ended_utc = $t WHERE id = $r", ("$s", status), ("$t", DateTime.UtcNow.ToString("O")), ("$r", runId));

    /// <summary>Marks a resumed run running again, owned by this process.</summary>
    public void MarkRunning(long runId) =>
        Exec("UPDATE runs SET status = 'running', ended_utc = NULL, pid = $p WHERE id = $r", ("$p", Environment.ProcessId), ("$r", runId));

    /// <summary>All runs, newest first. A run recorded as running whose process is gone (killed) reads as "died".</summary>
    public IReadOnlyList<RunInfo> Runs()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, name, status, started_utc, ended_utc, config_json, pid FROM runs ORDER BY id DESC";
        using var r = cmd.ExecuteReader();
        var list = new List<RunInfo>();
        while (r.Read())
        {
            string status = r.GetString(2);
            if (status == "running" && (r.IsDBNull(6) || !IsAlive(r.GetInt64(6)))) status = "died";
            list.Add(new(r.GetInt64(0), r.GetString(1), status, r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5)));
        }
        return list;
    }

    /// <summary>(step, value) series of one metric, by step.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(long runId, string key)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT step, value FROM metrics WHERE run_id = $r AND key = $k ORDER BY step";
        cmd.Parameters.AddWithValue("$r", runId); cmd.Parameters.AddWithValue("$k", key);
        using var r = cmd.ExecuteReader();
        var list = new List<(long, double)>();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetDouble(1)));
        return list;
    }

    /// <summary>Names of the metrics a run logged.</summary>
    public IReadOnlyList<string> Keys(long runId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT key FROM metrics WHERE run_id = $r ORDER BY key";
        cmd.Parameters.AddWithValue("$r", runId);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    public void Dispose()
    {
        _db.Dispose();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Whether process <paramref name="pid"/> is running on this machine.</summary>
    private static bool IsAlive(long pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById((int)pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
