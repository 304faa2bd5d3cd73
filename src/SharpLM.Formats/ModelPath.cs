// ModelPath: how a model path given by a user becomes the files that are read. Symbolic links (the Hugging Face
// hub cache is made of them) are followed to their final target before a file is sized or mapped, and a link
// whose target is missing is an error naming both. A hub cache folder (models--org--name, holding refs/main and
// snapshots/<rev>/) stands for the snapshot refs/main names, as transformers reads it. Sibling files (config.json,
// shards, tokenizer.json) are still looked up beside the path as given, never beside a link's target.
namespace SharpLM.Formats;

/// <summary>Resolves model paths: symbolic links and Hugging Face hub cache folders.</summary>
public static class ModelPath
{
    /// <summary>
    /// The path to read for <paramref name="path"/>: a hub cache folder becomes its snapshot folder; anything else is
    /// returned as given. A dangling symbolic link throws <see cref="FileNotFoundException"/> naming the link and its target;
    /// a hub cache without refs/main or without the snapshot it names throws <see cref="ModelFormatException"/>.
    /// </summary>
    public static string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return path;
        ThrowIfDangling(path);
        if (!IsHubCache(path)) return path;
        var snapshot = Snapshot(path);
        // A GGUF-only repository (no config.json): the snapshot's single .gguf file is the model.
        if (!File.Exists(Path.Combine(snapshot, "config.json")))
        {
            var ggufs = Directory.GetFiles(snapshot, "*.gguf");
            if (ggufs.Length == 1) return ggufs[0];
            if (ggufs.Length > 1)
                throw new ModelFormatException(snapshot, "", $"a hub snapshot with {ggufs.Length} GGUF files and no config.json; pass the file you want ({string.Join(", ", ggufs.Select(Path.GetFileName))})");
        }
        return snapshot;
    }

    /// <summary>Whether <paramref name="path"/> is a hub cache folder: snapshots/ inside, and no config.json of its own.</summary>
    public static bool IsHubCache(string path) =>
        Directory.Exists(path) && Directory.Exists(Path.Combine(path, "snapshots")) && !File.Exists(Path.Combine(path, "config.json"));

    /// <summary>The file behind <paramref name="path"/> with every symbolic link followed (the path itself when it is no link).</summary>
    public static string ResolveFile(string path)
    {
        var target = FinalTarget(path);
        if (target is null) return path;
        if (!Path.Exists(target.FullName)) throw Dangling(path, target.FullName);
        return target.FullName;
    }

    /// <summary>As <see cref="File.Exists"/>, but a symbolic link whose target is missing throws (naming both) instead of counting as present.</summary>
    public static bool FileExists(string path)
    {
        if (!File.Exists(path)) return false;
        ThrowIfDangling(path);
        return true;
    }

    /// <summary>Throws <see cref="FileNotFoundException"/> when <paramref name="path"/> is a symbolic link whose final target does not exist.</summary>
    public static void ThrowIfDangling(string path)
    {
        var target = FinalTarget(path);
        if (target is not null && !Path.Exists(target.FullName)) throw Dangling(path, target.FullName);
    }

    private static FileSystemInfo? FinalTarget(string path)
    {
        // A full path: with a bare file name ("link.gguf") .NET resolves a relative target against "/", not the working folder.
        try { return File.ResolveLinkTarget(Path.GetFullPath(path), returnFinalTarget: true); }
        catch (FileNotFoundException) { return null; }       // no such path at all: the caller says so in its own words
        catch (DirectoryNotFoundException) { return null; }
        catch (IOException e) { throw new IOException($"{path}: symbolic link cannot be followed ({e.Message})", e); } // a loop
    }

    private static FileNotFoundException Dangling(string link, string target)
    {
        string? first = new FileInfo(link).LinkTarget;
        string shown = first is null || Path.GetFullPath(first, Path.GetDirectoryName(Path.GetFullPath(link))!) == target ? target : $"{first} ({target})";
        return new FileNotFoundException($"{link}: symbolic link to {shown}, which does not exist.", link);
    }

    private static string Snapshot(string cache)
    {
        var refFile = Path.Combine(cache, "refs", "main");
        if (!FileExists(refFile))
            throw new ModelFormatException(cache, "refs/main", "missing (a Hugging Face hub cache folder names its snapshot in refs/main; pass snapshots/<revision> instead)");
        var rev = File.ReadAllText(refFile).Trim();
        if (rev.Length == 0 || rev.IndexOfAny(['/', '\\']) >= 0 || rev is "." or "..")
            throw ModelFormatException.Expected(refFile, "", "a commit hash", rev.Length == 0 ? "an empty file" : $"'{rev}'");
        var snapshot = Path.Combine(cache, "snapshots", rev);
        ThrowIfDangling(snapshot);
        if (!Directory.Exists(snapshot))
            throw new ModelFormatException(cache, $"snapshots/{rev}", "missing (refs/main names this revision, but it was not downloaded)");
        return snapshot;
    }
}
